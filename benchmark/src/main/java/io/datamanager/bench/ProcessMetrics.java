package io.datamanager.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU seconds and proportional memory (PSS) of the processes a run started, read from {@code /proc}. A process
 * counts with its children: CPU of children that ended ({@code cutime}, {@code cstime}) and of those alive, so
 * PostgreSQL's postmaster stands for every backend, walsender and worker it forked.
 */
final class ProcessMetrics {
    /** Linux reports CPU in clock ticks; USER_HZ is 100 on every architecture the JDK runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessMetrics() {}

    /** CPU seconds of each named process and its descendants so far; a process that is gone counts 0. */
    static Map<String, Double> cpu(Map<String, Long> pids) {
        Map<String, Double> cpu = new LinkedHashMap<>();
        pids.forEach((name, pid) -> cpu.put(name, treeCpu(pid)));
        return cpu;
    }

    /** What each process used between two readings. */
    static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> used = new LinkedHashMap<>();
        after.forEach((name, seconds) -> used.put(name, Math.max(0, seconds - before.getOrDefault(name, 0.0))));
        return used;
    }

    static double treeCpu(long pid) {
        if (pid == ProcessHandle.current().pid()) {
            return ownCpu(pid, false); // the driver alone: its descendants are the processes measured by name
        }
        double total = ownCpu(pid, true);
        for (long child : descendants(pid)) {
            total += ownCpu(child, true);
        }
        return total;
    }

    /** utime + stime (+ cutime + cstime: children that ended and were waited for) in seconds. */
    private static double ownCpu(long pid, boolean withEndedChildren) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command (field 2) is in parentheses and may hold spaces: fields count from after its ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            if (withEndedChildren) {
                ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
            }
            return ticks / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /**
     * PostgreSQL's CPU seconds by kind of process: walsender (logical decoding for capture), backends by database,
     * and the background processes; "ended" holds what processes that ended used (their time is in the postmaster's
     * children's total).
     */
    static Map<String, Double> postgresByKind(long postmaster) {
        Map<String, Double> kinds = new java.util.TreeMap<>();
        double children = 0;
        for (long pid : descendants(postmaster)) {
            double cpu = ownCpu(pid, false);
            children += cpu;
            kinds.merge(kind(pid), cpu, Double::sum);
        }
        kinds.put("ended", Math.max(0, treeCpu(postmaster) - ownCpu(postmaster, false) - children));
        kinds.put("postmaster", ownCpu(postmaster, false));
        return kinds;
    }

    private static String kind(long pid) {
        try {
            String line = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), java.nio.charset.StandardCharsets.UTF_8)
                    .replace('\0', ' ').trim();
            if (!line.startsWith("postgres: ")) {
                return "other";
            }
            String[] words = line.substring("postgres: ".length()).split(" ");
            if (line.contains("walsender")) {
                return "walsender";
            }
            if (words.length >= 2 && words[0].equals("postgres")) {
                return "backend " + words[1];
            }
            return words.length >= 2 && !words[1].contains("(") ? words[0] + " " + words[1] : words[0];
        } catch (IOException | RuntimeException gone) {
            return "ended";
        }
    }

    /** PSS in MB of each named process with its descendants. */
    static Map<String, Double> pssMb(Map<String, Long> pids) {
        Map<String, Double> pss = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            double kb = pssKb(pid);
            for (long child : descendants(pid)) {
                kb += pssKb(child);
            }
            pss.put(name, kb / 1024.0);
        });
        return pss;
    }

    private static long pssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException gone) {
            // ended, or not ours to read
        }
        return 0;
    }

    private static List<Long> descendants(long pid) {
        return ProcessHandle.of(pid).map(p -> p.descendants().map(ProcessHandle::pid).toList()).orElse(List.of());
    }

    /**
     * The first process among this JVM's descendants whose first argument names {@code name} (the argument, not the
     * executable: Debian's redis-server is a link to another binary), or -1.
     */
    static long childNamed(String name) {
        try (Stream<ProcessHandle> all = ProcessHandle.current().descendants()) {
            return all.filter(p -> argv0(p.pid()).contains(name)).mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
        }
    }

    private static String argv0(long pid) {
        try {
            byte[] line = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            int end = 0;
            while (end < line.length && line[end] != 0) {
                end++;
            }
            return new String(line, 0, end, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException gone) {
            return "";
        }
    }

    /** The load average as {@code uptime} shows it. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
