package io.datamanager.bench;

import io.datamanager.testsupport.ChildProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the time goes, per stage: JFR recordings of each JVM while the stage runs (started with the JVM for the
 * processes a stage starts, by {@code jcmd} for the ones already running) summarised into the hottest methods, the
 * busiest threads, where working threads block, and GC pauses. PostgreSQL's own view is {@link PgStatements}.
 */
final class Profiles {
    private static final String NAME = "bench";

    /** What one JVM spent its samples on during a stage. */
    record Summary(String process, long samples, List<Share> hotMethods, List<Share> hotStacks, List<Share> byArea, List<Share> byThread,
            List<Wait> waits, long gcPauses, double gcPauseMs, String recording) {}

    /** Time threads spent blocked (parked, in a monitor wait, reading a socket, in fsync) at a place in the code, over 10 ms each. */
    record Wait(String thread, String where, double seconds, long events) {}

    /** A method, area or thread and its share of the samples, in percent. */
    record Share(String name, double percent) {}

    private final boolean enabled;
    private final Path dir;

    Profiles(boolean enabled, Path dir) {
        this.enabled = enabled;
        this.dir = dir;
    }

    boolean enabled() {
        return enabled;
    }

    /** JVM options that record from the start of a process this stage starts (none when not profiling). */
    List<String> startOptions() {
        return enabled ? List.of("-XX:StartFlightRecording=name=" + NAME + ",settings=profile") : List.of();
    }

    /** Starts a recording in a running JVM. */
    void start(long pid) {
        if (enabled) {
            jcmd(pid, "JFR.start", "name=" + NAME, "settings=profile");
        }
    }

    /** Stops the recordings of the named JVMs, writes them under the stage's name and summarises each. */
    List<Summary> stop(String stage, Map<String, Long> pids) {
        List<Summary> summaries = new ArrayList<>();
        if (!enabled) {
            return summaries;
        }
        for (var entry : pids.entrySet()) {
            Path file = dir.resolve(stage + "-" + entry.getKey() + ".jfr");
            if (jcmd(entry.getValue(), "JFR.stop", "name=" + NAME, "filename=" + file) && Files.exists(file)) {
                try {
                    summaries.add(summarise(entry.getKey(), file));
                } catch (IOException e) {
                    System.err.println("cannot read " + file + ": " + e);
                }
            }
        }
        return summaries;
    }

    static Summary summarise(String process, Path file) throws IOException {
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> stacks = new HashMap<>();
        Map<String, Long> areas = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        Map<String, double[]> waits = new HashMap<>();
        long samples = 0;
        long gcs = 0;
        double gcMs = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                String type = event.getEventType().getName();
                if (type.equals("jdk.GarbageCollection")) {
                    gcs++;
                    gcMs += event.getDuration().toNanos() / 1e6;
                    continue;
                }
                if (WAITS.contains(type)) {
                    var thread = event.getThread("eventThread");
                    String where = firstOwnFrame(event.getStackTrace());
                    if (where == null || idle(thread == null ? "" : thread.getJavaName(), where)) {
                        continue; // a pool or background thread waiting for work says nothing about the stage
                    }
                    String key = (thread == null ? "?" : threadGroup(thread.getJavaName())) + "\u0000" + type.substring(4) + " in " + where;
                    double[] w = waits.computeIfAbsent(key, k -> new double[2]);
                    w[0] += event.getDuration().toNanos() / 1e9;
                    w[1]++;
                    continue;
                }
                if (!type.equals("jdk.ExecutionSample")) {
                    continue;
                }
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                List<RecordedFrame> frames = stack.getFrames();
                String top = method(frames.get(0));
                self.merge(top, 1L, Long::sum);
                areas.merge(area(frames), 1L, Long::sum);
                stacks.merge(stackKey(frames), 1L, Long::sum);
                var thread = event.getThread("sampledThread");
                threads.merge(thread == null ? "?" : threadGroup(thread.getJavaName()), 1L, Long::sum);
            }
        }
        List<Wait> topWaits = waits.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0])).limit(8)
                .map(e -> new Wait(e.getKey().substring(0, e.getKey().indexOf('\u0000')), e.getKey().substring(e.getKey().indexOf('\u0000') + 1),
                        Math.round(e.getValue()[0] * 10) / 10.0, (long) e.getValue()[1])).toList();
        return new Summary(process, samples, top(self, samples, 15), top(stacks, samples, 10), top(areas, samples, 12),
                top(threads, samples, 8), topWaits, gcs, gcMs, file.getFileName().toString());
    }

    /** Blocking events JFR's profile settings record when they last 10 ms or more. */
    private static final Set<String> WAITS = Set.of("jdk.ThreadPark", "jdk.JavaMonitorWait", "jdk.JavaMonitorEnter", "jdk.SocketRead",
            "jdk.FileForce", "jdk.FileRead", "jdk.FileWrite", "jdk.SocketWrite");

    /** Where a wait happened: the innermost frame outside the JDK (whose own waiting frames say nothing), with its caller. */
    private static String firstOwnFrame(RecordedStackTrace stack) {
        if (stack == null) {
            return "?";
        }
        List<RecordedFrame> frames = stack.getFrames();
        for (int i = 0; i < frames.size(); i++) {
            String type = frames.get(i).getMethod().getType().getName();
            if (!(type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun."))) {
                return method(frames.get(i)) + (i + 1 < frames.size() ? " < " + method(frames.get(i + 1)) : "");
            }
        }
        return null; // only JDK frames: an idle pool thread
    }

    /** Threads and places that wait for work by design (heartbeats, timers, request queues, idle loops). */
    private static final List<String> IDLE = List.of("heartbeat", "Cleaner", "blocked-thread-checker", "scheduler", "Reaper", "reaper",
            "metrics", "JFR", "Attach Listener", "Signal Dispatcher", "receiveRequest", "EventAccumulator.poll", "advanceClock",
            "ShutdownableThread.pause", "CaptureMain.main", "MeasurementPublisher", "newThread$0", "BenchMain", "log-cleaner",
            "EnhancedQueueExecutor", "delayScheduler", "ForkJoinPool", "SelectorManager", "lsn-flush", "SignalProcessor");

    private static boolean idle(String thread, String where) {
        for (String marker : IDLE) {
            if (thread.contains(marker) || where.contains(marker)) {
                return true;
            }
        }
        return false;
    }

    /** A stack as its three topmost frames: enough to tell a JSON parse in the streams-app from one in the gateway. */
    private static String stackKey(List<RecordedFrame> frames) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(3, frames.size()); i++) {
            if (i > 0) {
                sb.append(" < ");
            }
            sb.append(method(frames.get(i)));
        }
        return sb.toString();
    }

    private static String method(RecordedFrame frame) {
        var m = frame.getMethod();
        String type = m.getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + m.getName();
    }

    /** The library a sample's time is in: the package of the innermost frame that is not JDK code, or the JDK's. */
    private static String area(List<RecordedFrame> frames) {
        String jdk = null;
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            if (type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.") || type.startsWith("javax.")) {
                if (jdk == null) {
                    jdk = packageOf(type, 2);
                }
                continue;
            }
            String lib = packageOf(type, 3);
            return jdk == null ? lib : lib + " (in " + jdk + ")";
        }
        return jdk == null ? "?" : jdk;
    }

    private static String packageOf(String type, int segments) {
        String[] parts = type.split("\\.");
        return String.join(".", java.util.Arrays.copyOf(parts, Math.min(segments, parts.length - 1)));
    }

    /** Thread names without their running numbers, so a pool counts as one. */
    private static String threadGroup(String name) {
        return name == null ? "?" : name.replaceAll("-?\\d+", "-#").replaceAll("(-#)+", "-#");
    }

    private static List<Share> top(Map<String, Long> counts, long total, int n) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
                .map(e -> new Share(e.getKey(), total == 0 ? 0 : Math.round(1000.0 * e.getValue() / total) / 10.0)).toList();
    }

    private static boolean jcmd(long pid, String... command) {
        Path jcmd = Path.of(ChildProcesses.java()).resolveSibling("jcmd");
        List<String> args = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        args.addAll(List.of(command));
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.contains("Exception")) {
                    return true;
                }
                if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    return false;
                }
                Thread.sleep(250); // a JVM just started may not take attach requests yet
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        System.err.println("jcmd " + String.join(" ", command) + " failed for " + pid);
        return false;
    }

    static Map<String, Long> only(Map<String, Long> pids, String... names) {
        Map<String, Long> picked = new LinkedHashMap<>();
        for (String n : names) {
            if (pids.containsKey(n)) {
                picked.put(n, pids.get(n));
            }
        }
        return picked;
    }
}
