package io.datamanager.bench;

import io.datamanager.bench.Results.Latency;
import io.datamanager.bench.Results.Output;
import io.datamanager.bench.Results.Phase;
import io.datamanager.bench.Results.Run;
import io.datamanager.bench.Results.WorkloadResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One benchmark run on this machine: one PostgreSQL, one Kafka broker, one Redis; a replication slot per consumer
 * made first; then each workload written while every consumer is stopped and drained by each stage in turn (bare
 * Debezium, capture alone, the whole pipeline, history ingest alone), then latency at steady rates. Writes
 * report.md, report.json and the plots under {@code <out>/<timestamp>/} and copies them to {@code <out>/latest/}.
 */
public final class Benchmark {
    private final BenchOptions options;

    public Benchmark(BenchOptions options) {
        this.options = options;
    }

    /** Runs everything and returns the folder holding the report. */
    public Path run() throws Exception {
        long began = System.nanoTime();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = Files.createDirectories(options.outRoot().resolve(stamp));
        Path work = dir.resolve("work");
        Path logs = Files.createDirectories(work.resolve("logs"));
        String loadBefore = ProcessMetrics.loadAverage();
        List<String> notes = new ArrayList<>();
        List<WorkloadResult> workloads = new ArrayList<>();
        List<Latency> latency = new ArrayList<>();
        Map<String, Map<String, Double>> memory = new LinkedHashMap<>();
        String postgresVersion;
        System.out.println("benchmark run in " + dir + " (load average " + loadBefore + ")");
        try (Platform platform = Platform.start(work, options.jvmOptions(), options.brokerConfig(), options.profile())) {
            postgresVersion = platform.postgresVersion();
            try (Connection c = platform.source()) {
                for (Workload w : Workload.values()) {
                    w.create(c);
                }
                LatencyRun.createTable(c);
            }
            for (String slot : List.of(Stages.REFERENCE_SLOT, Stages.CAPTURE_SLOT, Stages.PIPELINE_SLOT)) {
                platform.createSlot(slot);
            }
            Kafka kafka = new Kafka(platform.bootstrap());
            List<String> topics = new ArrayList<>();
            for (Workload w : Workload.values()) {
                topics.addAll(List.of(Stages.referenceTopic(w), Stages.captureTopic(Stages.CAPTURE_PREFIX, w), Stages.captureTopic(Stages.PIPELINE_PREFIX, w)));
            }
            topics.add(Stages.PIPELINE_PREFIX + ".cdc.public." + LatencyRun.TABLE);
            kafka.createTopics(topics);
            platform.createDatabase(Stages.HISTORY_DB);
            try (Services services = new Services(platform, options.home(), logs, Stages.PIPELINE_PREFIX, options.jvmOptions(), options.env());
                    WebhookReceiver receiver = new WebhookReceiver()) {
                services.start(Stages.HISTORY_DB);
                for (Workload w : Workload.values()) {
                    services.subscribe(Stages.hook(w), "{\"table\":\"" + w.qualified() + "\",\"delivery\":{\"webhook\":{\"url\":\"" + receiver.url("/" + w.name()) + "\"}}}");
                }
                System.out.printf("servers and services ready in %.0f s%n", (System.nanoTime() - began) / 1e9);
                memory.put("services started, capture stopped", pss(platform, services));
                Profiles profiles = new Profiles(options.profile(), options.profile() ? Files.createDirectories(dir.resolve("profiles")) : dir);
                Stages stages = new Stages(options, platform, services, receiver, profiles, logs);
                for (Workload w : Workload.values()) {
                    int asked = switch (w) {
                        case W1 -> options.w1();
                        case W2 -> options.w2();
                        case W3 -> options.w3();
                    };
                    long n = w.write(platform, asked);
                    System.out.printf("%s: %,d changes written (%s)%n", w, n, w.description);
                    List<Phase> phases = new ArrayList<>();
                    phases.add(report(w, stages.reference(w, n)));
                    phases.add(report(w, stages.captureAlone(w, n)));
                    phases.add(report(w, stages.pipeline(w, n)));
                    phases.add(report(w, stages.historyAlone(w, n)));
                    workloads.add(new WorkloadResult(w.name(), w.description, n, stages.kafkaBytes(w, "reference"), stages.kafkaBytes(w, "capture"),
                            withRatios(phases)));
                }
                LatencyRun latencyRun = new LatencyRun(options, platform, services, receiver);
                latency.addAll(latencyRun.run(logs.resolve("capture-latency.log"),
                        (when, capture) -> {
                            Map<String, Double> pss = pss(platform, services);
                            pss.putAll(ProcessMetrics.pssMb(Map.of("capture", capture)));
                            memory.put(when, pss);
                        }));
                latencyRun.earlyAnswers.forEach(a -> notes.add("barrier answered 200 but the key was not in Redis yet: " + a));
            }
        }
        if (!options.profile()) {
            notes.add("not profiled: run with --profile for JFR per stage and pg_stat_statements");
        }
        notes.add("ServiceProcess/CaptureServer/KafkaBroker defaults apply (" + String.join(" ", io.datamanager.runtime.ServiceProcess.JVM_OPTIONS) + ", C1 and C2; "
                + "the broker leaves flushing to the OS, Kafka's default) unless --jvm-option or --broker-config say otherwise; the reference runs with the JDK's defaults (G1, C2)");
        if (!options.jvmOptions().isEmpty()) {
            notes.add("JVM options added to every datamanager process and the broker: " + String.join(" ", options.jvmOptions()));
        }
        if (!options.env().isEmpty()) {
            notes.add("environment added to capture and the services: " + options.env());
        }
        if (!options.brokerConfig().isEmpty()) {
            notes.add("broker properties replaced: " + options.brokerConfig());
        }
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("quick", options.quick());
        opts.put("changes", Map.of("W1", options.w1(), "W2", options.w2(), "W3", options.w3()));
        opts.put("rates", options.rates());
        opts.put("latencySeconds", options.latencySeconds());
        opts.put("profile", options.profile());
        opts.put("jvmOptions", options.jvmOptions());
        opts.put("env", options.env());
        opts.put("brokerConfig", options.brokerConfig());
        Run run = new Run(stamp, (System.nanoTime() - began) / 1e9,
                MachineInfo.describe(postgresVersion, loadBefore, ProcessMetrics.loadAverage()), opts, workloads, latency, memory, notes);
        try {
            Plots.write(run, dir);
        } catch (Exception | Error e) {
            notes.add("plots not drawn: " + e);
        }
        ReportWriter.write(run, dir);
        if (!options.keepData()) {
            delete(work.resolve("postgres"));
            delete(work.resolve("kafka"));
            delete(work.resolve("streams"));
        }
        copyLatest(dir);
        System.out.printf("report: %s (%.0f s)%n", dir.resolve("report.md"), run.seconds());
        return dir;
    }

    private static Phase report(Workload w, Phase p) {
        Output o = p.last();
        // NaN: every change was there at the first look (a stage reading what was produced before it started), no rate
        String rate = Double.isNaN(o.throughput()) ? "all at once" : String.format(Locale.ROOT, "%,8.0f changes/s", o.throughput());
        System.out.printf(Locale.ROOT, "  %s %-14s %17s  %s  (%s)%n", w, p.phase(), rate,
                o.complete() ? "all " + o.held() : "HELD " + o.held() + " OF " + o.expected(), ReportWriter.format(p.cpuSeconds()));
        return p;
    }

    /** Each output's rate as a multiple of bare Debezium's on the same workload. */
    private static List<Phase> withRatios(List<Phase> phases) {
        double reference = phases.get(0).last().throughput();
        List<Phase> rated = new ArrayList<>();
        for (Phase p : phases) {
            List<Output> outputs = p.outputs().stream().map(o -> new Output(o.output(), o.expected(), o.held(), o.complete(), o.firstSeconds(),
                    o.doneSeconds(), o.fromSeconds(), o.throughput(),
                    reference > 0 && !Double.isNaN(o.throughput()) ? Math.round(100 * o.throughput() / reference) / 100.0 : null)).toList();
            rated.add(new Phase(p.phase(), p.description(), p.wallSeconds(), outputs, p.cpuSeconds(), p.postgresCpuSeconds(), p.profiles(), p.statements()));
        }
        return rated;
    }

    private static Map<String, Double> pss(Platform platform, Services services) {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("kafka", platform.brokerPid());
        pids.put("postgres", platform.postgresPid());
        long redis = ProcessMetrics.childNamed("redis-server");
        if (redis > 0) {
            pids.put("redis", redis);
        }
        pids.putAll(services.pids());
        return ProcessMetrics.pssMb(pids);
    }

    private void copyLatest(Path dir) throws IOException {
        Path latest = options.outRoot().resolve("latest");
        delete(latest);
        Files.createDirectories(latest);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.startsWith(dir.resolve("work"))).toList()) {
                Path target = latest.resolve(dir.relativize(f).toString());
                Files.createDirectories(target.getParent());
                Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void delete(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
