package io.datamanager.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.datamanager.bench.Results.Latency;
import io.datamanager.bench.Results.Output;
import io.datamanager.bench.Results.Percentiles;
import io.datamanager.bench.Results.Phase;
import io.datamanager.bench.Results.Run;
import io.datamanager.bench.Results.WorkloadResult;
import io.datamanager.model.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** report.md (for people: figures, ratios to the reference, CPU per stage, the machine) and report.json (the same, for tools). */
final class ReportWriter {
    private ReportWriter() {}

    static void write(Run run, Path dir) throws IOException {
        Files.write(dir.resolve("report.json"), Json.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(run));
        Files.writeString(dir.resolve("report.md"), markdown(run));
    }

    static String markdown(Run run) {
        StringBuilder md = new StringBuilder();
        var m = run.machine();
        md.append("# datamanager benchmark, ").append(run.startedAt()).append("\n\n");
        md.append(String.format(Locale.ROOT, "Machine: %s, %d cores, %,d MB, %s, kernel %s; %s; PostgreSQL %s. Load average (1, 5, 15 min) "
                + "before: %s, after: %s. Run took %.0f s. Options: %s.%n%n", m.cpu(), m.cores(), m.memoryMb(), m.os(), m.kernel(), m.jdk(),
                m.postgres(), m.loadBefore(), m.loadAfter(), run.seconds(), run.options()));
        md.append("Each workload is written while every consumer is stopped; then each stage drains it in turn, timed from its "
                + "first record to its last. Ratios are to bare Debezium on the same workload in this run.\n\n");
        md.append("## Throughput (changes per second)\n\n");
        md.append("| workload | changes | stage | output | changes/s | × bare Debezium | held | seconds to all |\n|---|---:|---|---|---:|---:|---:|---:|\n");
        for (WorkloadResult w : run.workloads()) {
            for (Phase p : w.phases()) {
                for (Output o : p.outputs()) {
                    md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %,d%s | %s |%n", w.workload(), w.changes(), p.phase(),
                            o.output(), Double.isNaN(o.throughput()) ? "all at once" : String.format(Locale.ROOT, "%,.0f", o.throughput()), o.ratioToReference() == null ? "" : String.format(Locale.ROOT, "%.2f", o.ratioToReference()),
                            o.held(), o.complete() ? "" : " **of " + String.format("%,d", o.expected()) + "**",
                            o.doneSeconds() < 0 ? "not reached" : String.format(Locale.ROOT, "%.1f", o.doneSeconds() - o.fromSeconds())));
                }
            }
        }
        md.append("\n").append("Workloads: ");
        run.workloads().forEach(w -> md.append(w.workload()).append(": ").append(w.description()).append(". "));
        md.append("\n\n## CPU seconds per stage\n\n");
        TreeSet<String> processes = new TreeSet<>();
        run.workloads().forEach(w -> w.phases().forEach(p -> processes.addAll(p.cpuSeconds().keySet())));
        md.append("| workload | stage | wall s |");
        processes.forEach(p -> md.append(' ').append(p).append(" |"));
        md.append(" total | CPU µs per change |\n|---|---|---:|");
        processes.forEach(p -> md.append("---:|"));
        md.append("---:|---:|\n");
        for (WorkloadResult w : run.workloads()) {
            for (Phase p : w.phases()) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %.1f |", w.workload(), p.phase(), p.wallSeconds()));
                double total = 0;
                for (String proc : processes) {
                    Double s = p.cpuSeconds().get(proc);
                    total += s == null ? 0 : s;
                    md.append(s == null ? " |" : String.format(Locale.ROOT, " %.1f |", s));
                }
                md.append(String.format(Locale.ROOT, " %.1f | %.0f |%n", total, total * 1e6 / w.changes()));
            }
        }
        md.append("\nPostgreSQL's CPU by kind of process (walsender: logical decoding for capture; backend <db>: sessions on that database):\n\n");
        for (WorkloadResult w : run.workloads()) {
            for (Phase p : w.phases()) {
                md.append("- ").append(w.workload()).append(' ').append(p.phase()).append(": ").append(format(p.postgresCpuSeconds())).append('\n');
            }
        }
        if (!run.workloads().isEmpty()) {
            md.append(String.format(Locale.ROOT, "%nKafka bytes (keys + values) of %s: reference %,d B, capture %,d B.%n",
                    run.workloads().get(0).workload(), run.workloads().get(0).kafkaBytesReference(), run.workloads().get(0).kafkaBytesCapture()));
        }
        md.append("\n## Latency (single-row transactions at a steady rate)\n\n");
        md.append("| rate asked | achieved | changes | commit → webhook p50 / p95 / p99 / max ms | commit → Redis key p50 / p95 / p99 / max ms "
                + "| barrier answer p50 / p95 / p99 / max ms (answered/asked) | barrier answered before its key was in Redis | every change arrived "
                + "| drained after s |\n|---:|---:|---:|---|---|---|---:|---|---:|\n");
        for (Latency l : run.latency()) {
            md.append(String.format(Locale.ROOT, "| %,d/s | %,.0f/s | %,d | %s (%,d) | %s (%,d) | %s (%d/%d) | %d | %s | %.1f |%n", l.targetRate(),
                    l.achievedRate(), l.changes(), ms(l.webhookMs()), l.webhooksArrived(), ms(l.redisMs()), l.redisKeysWritten(), ms(l.barrierMs()),
                    l.barriersAnswered(), l.barriersAsked(), l.barriersBeforeKeyWritten(), l.everyChangeArrived() ? "yes" : "**no**", l.drainSeconds()));
        }
        md.append("\nWhere the latency goes: commit → first seen on each topic by a consumer of its own (`read_committed`), "
                + "p50 / p95 / p99 / max ms; the rest up to the webhook is the gateway's delivery.\n\n");
        for (Latency l : run.latency()) {
            md.append(String.format(Locale.ROOT, "- %,d/s:", l.targetRate()));
            l.hopsMs().forEach((hop, p) -> md.append(" ").append(hop).append(" ").append(ms(p)).append(";"));
            md.append(" → webhook received ").append(ms(l.webhookMs())).append('\n');
        }
        md.append("\nCPU from the first write of a phase until every change was at the webhook and in Redis, per change: what the "
                + "stack used (the benchmark's own writers, receiver and watchers apart), and the cores busy on average over that time, the "
                + "benchmark's own processes included "
                + "(2 is all of this machine's).\n\n");
        for (Latency l : run.latency()) {
            if (l.cpuSeconds() == null || l.changes() == 0) {
                continue;
            }
            double stack = l.cpuSeconds().entrySet().stream().filter(e -> !e.getKey().equals("bench driver")).mapToDouble(Map.Entry::getValue).sum();
            StringBuilder by = new StringBuilder();
            l.cpuSeconds().forEach((process, seconds) -> by.append(String.format(Locale.ROOT, "%s%s %.0f", by.isEmpty() ? "" : ", ", process,
                    seconds * 1e6 / l.changes())));
            md.append(String.format(Locale.ROOT, "- %,d/s: stack %.0f µs per change, %.2f cores busy over %.1f s (%s µs)%n", l.targetRate(),
                    stack * 1e6 / l.changes(), (stack + l.cpuSeconds().getOrDefault("bench driver", 0.0)) / (l.seconds() + l.drainSeconds()),
                    l.seconds() + l.drainSeconds(), by));
        }
        md.append("\n## Memory (PSS, MB)\n\n");
        run.memoryPssMb().forEach((when, byProcess) -> md.append("- ").append(when).append(": ").append(format(byProcess))
                .append(String.format(Locale.ROOT, "; total %.0f MB%n", byProcess.values().stream().mapToDouble(Double::doubleValue).sum())));
        md.append("\n![throughput](throughput.png)\n\n![latency](latency.png)\n");
        if (run.workloads().stream().anyMatch(w -> w.phases().stream().anyMatch(p -> !p.profiles().isEmpty() || !p.statements().isEmpty()))) {
            md.append(Profiling.markdown(run));
        }
        if (!run.notes().isEmpty()) {
            md.append("\n## Notes\n\n");
            run.notes().forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    private static String ms(Percentiles p) {
        if (p.count() == 0) {
            return "none";
        }
        return String.format(Locale.ROOT, "%.0f / %.0f / %.0f / %.0f", p.p50(), p.p95(), p.p99(), p.max());
    }

    static String format(Map<String, Double> values) {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(String.format(Locale.ROOT, " %.1f", v)));
        return sb.toString();
    }
}
