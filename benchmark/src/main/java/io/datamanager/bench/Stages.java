package io.datamanager.bench;

import io.datamanager.bench.Results.Output;
import io.datamanager.bench.Results.Phase;
import io.datamanager.runtime.CaptureServer;
import io.datamanager.model.TopicNames;
import io.datamanager.runtime.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The four ways one workload is drained, each timed from its start until its consumer holds every change, with the
 * CPU each process used meanwhile: bare Debezium (the reference), capture alone, the whole pipeline (to history, to
 * the subscription's topic, to a webhook) and history ingest alone.
 */
final class Stages {
    static final String REFERENCE_PREFIX = "br";
    static final String CAPTURE_PREFIX = "bc";
    static final String PIPELINE_PREFIX = "bp";
    static final String REFERENCE_SLOT = "bench_reference";
    static final String CAPTURE_SLOT = "bench_capture";
    static final String PIPELINE_SLOT = "bench_pipeline";
    static final String HISTORY_DB = "bench_history";

    private final BenchOptions options;
    private final Platform platform;
    private final Services services;
    private final WebhookReceiver receiver;
    private final Kafka kafka;
    private final Profiles profiles;
    private final PgStatements statements;
    private final Path logs;
    private final TopicNames pipelineTopics = new TopicNames(PIPELINE_PREFIX);
    /** Where dm.changes stood before the pipeline drained each workload: history ingest alone reads from there. */
    private final Map<Workload, Map<Integer, Long>> changesFrom = new LinkedHashMap<>();
    /** Bytes (keys and values) the reference and capture alone put on Kafka per workload. */
    private final Map<String, Long> kafkaBytes = new LinkedHashMap<>();

    Stages(BenchOptions options, Platform platform, Services services, WebhookReceiver receiver, Profiles profiles, Path logs) {
        this.options = options;
        this.platform = platform;
        this.services = services;
        this.receiver = receiver;
        this.kafka = new Kafka(platform.bootstrap());
        this.profiles = profiles;
        this.statements = new PgStatements(profiles.enabled());
        this.logs = logs;
    }

    static String referenceTopic(Workload w) {
        return REFERENCE_PREFIX + ".public." + w.table;
    }

    static String captureTopic(String prefix, Workload w) {
        return prefix + ".cdc.public." + w.table;
    }

    static String hook(Workload w) {
        return w.name().toLowerCase(java.util.Locale.ROOT) + "-hook";
    }

    /** Servers and the driver, measured in every stage. */
    private Map<String, Long> shared() {
        return shared(platform);
    }

    /** The driver (this JVM: its writers, receiver and watchers) and the servers of {@code platform}, by name. */
    static Map<String, Long> shared(Platform platform) {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("bench driver", ProcessHandle.current().pid());
        pids.put("kafka", platform.brokerPid());
        pids.put("postgres", platform.postgresPid());
        long redis = ProcessMetrics.childNamed("redis-server");
        if (redis > 0) {
            pids.put("redis", redis);
        }
        return pids;
    }

    Phase reference(Workload w, long n) throws Exception {
        String topic = referenceTopic(w);
        Map<String, Long> pids = shared();
        Meter meter = new Meter(pids, w + "-reference", "kafka");
        try (TopicCounter counter = new TopicCounter(platform.bootstrap(), topic, kafka.endOffsets(topic))) {
            long start = System.nanoTime();
            Process ref = ReferenceLauncher.start(platform, REFERENCE_PREFIX, REFERENCE_SLOT, logs.resolveSibling("reference.offsets"),
                    logs.resolve("reference.log"), profiles.startOptions());
            pids.put("reference", ref.pid());
            try {
                var progress = new Watch(n).add("bare Debezium → Kafka → consumer", counter::count)
                        .await(start, options.stageTimeout((int) n), ref::isAlive);
                kafkaBytes.put(w + "/reference", counter.bytes());
                return meter.finish("reference", "bare Debezium 3.6.1 (embedded engine, defaults) → Kafka → a plain consumer",
                        start, n, progress, null, "reference");
            } finally {
                ref.destroy();
                if (!ref.waitFor(60, TimeUnit.SECONDS)) {
                    ref.destroyForcibly();
                }
            }
        }
    }

    Phase captureAlone(Workload w, long n) throws Exception {
        String topic = captureTopic(CAPTURE_PREFIX, w);
        Map<String, Long> pids = shared();
        Meter meter = new Meter(pids, w + "-capture", "kafka");
        try (TopicCounter counter = new TopicCounter(platform.bootstrap(), topic, kafka.endOffsets(topic))) {
            long start = System.nanoTime();
            CaptureServer capture = CaptureLauncher.start(platform, CAPTURE_PREFIX, CAPTURE_SLOT, logs.resolve("capture-alone.log"),
                    jvm(profiles.startOptions()), options.env());
            pids.put("capture", capture.pid());
            try {
                var progress = new Watch(n).add("capture → dm.cdc.* → consumer", counter::count)
                        .await(start, options.stageTimeout((int) n), capture::isAlive);
                kafkaBytes.put(w + "/capture", counter.bytes());
                return meter.finish("capture", "datamanager's capture alone into dm.cdc.*", start, n, progress, null, "capture");
            } finally {
                capture.close();
            }
        }
    }

    Phase pipeline(Workload w, long n) throws Exception {
        String cdc = captureTopic(PIPELINE_PREFIX, w);
        String sub = pipelineTopics.subscription(hook(w));
        String path = "/" + w.name();
        Map<Integer, Long> changesStart = kafka.endOffsets(pipelineTopics.changes());
        changesFrom.put(w, changesStart);
        Map<String, Long> pids = shared();
        pids.putAll(services.pids());
        Meter meter = new Meter(pids, w + "-pipeline", "kafka", "streams-app", "history-sink", "gateway");
        long receivedBefore = receiver.distinct(path);
        try (TopicCounter cdcCount = new TopicCounter(platform.bootstrap(), cdc, kafka.endOffsets(cdc));
                TopicCounter changes = new TopicCounter(platform.bootstrap(), pipelineTopics.changes(), changesStart);
                TopicCounter subCount = new TopicCounter(platform.bootstrap(), sub, kafka.endOffsets(sub));
                HistoryCount history = new HistoryCount(platform, HISTORY_DB, w.qualified())) {
            long historyBefore = history.getAsLong();
            long start = System.nanoTime();
            CaptureServer capture = CaptureLauncher.start(platform, PIPELINE_PREFIX, PIPELINE_SLOT, logs.resolve("capture.log"),
                    jvm(profiles.startOptions()), options.env());
            pids.put("capture", capture.pid());
            try {
                BooleanSupplier alive = () -> capture.isAlive() && services.alive();
                var progress = new Watch(n)
                        .add("capture → dm.cdc.*", cdcCount::count)
                        .add("streams-app → dm.changes", changes::count)
                        .add("→ dm.sub.<id>", subCount::count)
                        .add("→ webhook received", () -> receiver.distinct(path) - receivedBefore)
                        .add("→ version in history", () -> history.getAsLong() - historyBefore)
                        .await(start, options.stageTimeout((int) n), alive);
                return meter.finish("pipeline", "capture + streams-app + history-sink + gateway (webhook subscription on the table)",
                        start, n, progress, "capture → dm.cdc.*", "capture");
            } finally {
                capture.close();
            }
        }
    }

    Phase historyAlone(Workload w, long n) throws Exception {
        String db = platform.createDatabase("bench_alone_" + w.name().toLowerCase(java.util.Locale.ROOT));
        String group = PIPELINE_PREFIX + "-history-alone-" + w.name().toLowerCase(java.util.Locale.ROOT);
        kafka.placeGroup(group, pipelineTopics.changes(), changesFrom.get(w));
        Map<String, Long> pids = shared();
        Meter meter = new Meter(pids, w + "-history-alone", "kafka");
        try (HistoryCount history = new HistoryCount(platform, db, w.qualified())) {
            long start = System.nanoTime();
            ServiceProcess sink = services.startHistoryAlone(db, group, "history-alone-" + w, profiles.startOptions());
            pids.put("history-sink", sink.pid());
            try {
                var progress = new Watch(n).add("dm.changes → history-sink → history", history)
                        .await(start, options.stageTimeout((int) n), sink::isAlive);
                Phase phase = meter.finish("history-alone", "history-sink alone on a fresh database, dm.changes produced before it started",
                        start, n, progress, null, "history-sink");
                long stored = history.distinctVersions();
                if (stored != n) {
                    System.out.printf("    history alone stored %,d distinct versions of %,d%n", stored, n);
                }
                return phase;
            } finally {
                sink.close();
            }
        }
    }

    long kafkaBytes(Workload w, String stage) {
        return kafkaBytes.getOrDefault(w + "/" + stage, -1L);
    }

    private List<String> jvm(List<String> extra) {
        List<String> all = new ArrayList<>(options.jvmOptions());
        all.addAll(extra);
        return all;
    }

    /** CPU (and, when profiling, JFR and pg_stat_statements) from a stage's start to its end. */
    private final class Meter {
        private final Map<String, Long> pids;
        private final String name;
        private final Map<String, Double> cpuBefore;
        private final Map<String, Double> pgBefore;

        /** Starts measuring; {@code running} names the processes already running that are profiled by jcmd. */
        Meter(Map<String, Long> pids, String name, String... running) {
            this.pids = pids;
            this.name = name;
            statements.reset(platform);
            for (String r : running) {
                profiles.start(pids.get(r));
            }
            this.cpuBefore = ProcessMetrics.cpu(pids);
            this.pgBefore = ProcessMetrics.postgresByKind(platform.postgresPid());
        }

        /**
         * Ends the stage: CPU used, profiles stopped and summarised, outputs with their rates from the first record of
         * {@code source} (the stage's own output when null).
         */
        Phase finish(String phase, String description, long start, long n, Map<String, Watch.Progress> progress, String source,
                String... profiled) {
            double wall = (System.nanoTime() - start) / 1e9;
            Map<String, Double> cpu = ProcessMetrics.delta(cpuBefore, ProcessMetrics.cpu(pids));
            Map<String, Double> pg = ProcessMetrics.delta(pgBefore, ProcessMetrics.postgresByKind(platform.postgresPid()));
            pg.values().removeIf(v -> v < 0.005);
            List<String> recorded = new ArrayList<>(List.of(profiled));
            pids.keySet().stream().filter(p -> List.of("kafka", "streams-app", "history-sink", "gateway").contains(p) && !recorded.contains(p))
                    .forEach(recorded::add);
            var summaries = profiles.stop(name, Profiles.only(pids, recorded.toArray(String[]::new)));
            var top = statements.top(platform, java.util.Set.of(HISTORY_DB, "bench_alone_w1", "bench_alone_w2", "bench_alone_w3",
                    Platform.SOURCE_DB));
            List<Output> outputs = new ArrayList<>();
            for (var entry : progress.entrySet()) {
                Watch.Progress p = entry.getValue();
                // from the first record of the stage's source; an output timed from its own first record counts what
                // came after it (a consumer that got the first 2,000 at once did not get them in no time)
                double from = source == null ? p.firstSeconds() : progress.get(source).firstSeconds();
                long counted = (p.done() ? n : p.held()) - (source == null ? p.heldAtFirst() : 0);
                double end = p.done() ? p.doneSeconds() : wall;
                double rate = end > from && from >= 0 ? counted / (end - from) : Double.NaN;
                outputs.add(new Output(entry.getKey(), n, p.held(), p.done() && p.held() == n, p.firstSeconds(), p.doneSeconds(), from, rate, null));
            }
            return new Phase(phase, description, wall, outputs, cpu, pg, summaries, top);
        }
    }
}
