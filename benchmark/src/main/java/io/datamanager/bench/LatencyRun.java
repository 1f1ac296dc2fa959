package io.datamanager.bench;

import io.datamanager.bench.Results.Latency;
import io.datamanager.bench.Results.Percentiles;
import io.datamanager.runtime.CaptureServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.JedisPooled;

/**
 * Latency through the whole pipeline at steady rates: single-row transactions (synchronous commit, as an application
 * writes) at each rate for a fixed time, on a table with a webhook subscription and a Redis subscription
 * ({@code action: set}). Commit to webhook is the receiver's clock minus the change's {@code commitTs}; commit to
 * Redis key is when Redis executed the SET (keyspace notification) minus the same {@code commitTs}; the barrier's
 * answer time is how long {@code GET /api/consistency} took right after a commit, asked a few times a second.
 */
final class LatencyRun {
    static final String TABLE = "bench_lat";
    static final String HOOK = "lat-hook";
    static final String CACHE = "lat-cache";
    private static final String PATH = "/lat";
    private static final long PROBE_IDS = 1_000_000_000L;

    private final BenchOptions options;
    private final Platform platform;
    private final Services services;
    private final WebhookReceiver receiver;
    private long nextId = 1;
    /** Barrier answers given before the probe's own key was in Redis, as the gateway gave them, for whoever looks into it. */
    final List<String> earlyAnswers = java.util.Collections.synchronizedList(new ArrayList<>());
    private long nextProbeId = PROBE_IDS;

    LatencyRun(BenchOptions options, Platform platform, Services services, WebhookReceiver receiver) {
        this.options = options;
        this.platform = platform;
        this.services = services;
        this.receiver = receiver;
    }

    static void createTable(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, v integer NOT NULL, note text)");
        }
    }

    /** Runs every rate; {@code memory} is told the capture process's pid when the stack is idle and after the load. */
    List<Latency> run(java.nio.file.Path log, java.util.function.BiConsumer<String, Long> memory) throws Exception {
        services.subscribe(HOOK, "{\"table\":\"public." + TABLE + "\",\"delivery\":{\"webhook\":{\"url\":\"" + receiver.url(PATH) + "\"}}}");
        services.subscribe(CACHE, "{\"table\":\"public." + TABLE + "\",\"delivery\":{\"redis\":{\"keys\":[\"lat:{id}\"],\"action\":\"set\"}}}");
        receiver.time(PATH);
        List<Latency> results = new ArrayList<>();
        try (RedisWatcher redis = new RedisWatcher(platform.redisPort(), "lat:")) {
            CaptureServer capture = CaptureLauncher.start(platform, Stages.PIPELINE_PREFIX, Stages.PIPELINE_SLOT, log, options.jvmOptions(),
                    options.env());
            try {
                warmUp(redis, capture);
                memory.accept("whole stack running, idle (after the throughput runs)", capture.pid());
                // capture has just started (and the services have seen no single-row transactions yet): a phase at the
                // lowest rate, not reported, so the JIT's first minutes and the first poll sizes are not the figures
                Latency warm = phase(options.rates().get(0), redis, capture);
                System.out.printf("  warm-up at %,d/s (not reported): %s%n", options.rates().get(0), summary(warm));
                for (int rate : options.rates()) {
                    results.add(phase(rate, redis, capture));
                    System.out.printf("  latency at %,d/s: %s%n", rate, summary(results.get(results.size() - 1)));
                }
                memory.accept("whole stack running, after the latency load", capture.pid());
            } finally {
                capture.close();
            }
        }
        return results;
    }

    /** One change through everything before timing starts: capture streams, both subscriptions deliver. */
    private void warmUp(RedisWatcher redis, CaptureServer capture) throws Exception {
        long id = nextId++;
        try (Connection c = platform.source(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO " + TABLE + " VALUES (" + id + ", 0, 'warm-up')");
        }
        await(Set.of(id), redis, Duration.ofMinutes(3), capture);
    }

    private Latency phase(int rate, RedisWatcher redis, CaptureServer capture) throws Exception {
        long total = (long) rate * options.latencySeconds();
        long firstId = nextId;
        nextId += total;
        Set<Long> written = ConcurrentHashMap.newKeySet();
        List<Double> barrier = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong asked = new AtomicLong();
        int threads = Math.max(2, Math.min(16, rate / 250));
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        AtomicLong sequence = new AtomicLong();
        long periodNanos = 1_000_000_000L / rate;
        io.datamanager.model.TopicNames names = new io.datamanager.model.TopicNames(Stages.PIPELINE_PREFIX);
        Map<String, String> hopTopics = new java.util.LinkedHashMap<>();
        hopTopics.put("capture → dm.cdc", names.cdcPrefix() + ".public." + TABLE);
        hopTopics.put("streams-app → dm.changes (committed)", names.changes());
        hopTopics.put("→ dm.sub.<id> (committed)", names.subscription(HOOK));
        HopWatcher hops = new HopWatcher(platform.bootstrap(), hopTopics);
        Map<String, Long> pids = measured(capture);
        Map<String, Double> cpuBefore = ProcessMetrics.cpu(pids);
        long start = System.nanoTime();
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            writers.add(pool.submit(() -> {
                try (Connection c = platform.source(); PreparedStatement insert = c.prepareStatement("INSERT INTO " + TABLE + " VALUES (?, 1, 'x')")) {
                    long i;
                    while ((i = sequence.getAndIncrement()) < total) {
                        long due = start + i * periodNanos;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        insert.setLong(1, firstId + i);
                        insert.executeUpdate();
                        written.add(firstId + i);
                    }
                }
                return null;
            }));
        }
        // the barrier, asked five times a second right after a commit, without waiting for the previous answer
        List<java.util.concurrent.CompletableFuture<?>> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong early = new AtomicLong();
        JedisPooled check = new JedisPooled("127.0.0.1", platform.redisPort());
        Future<?> probe = pool.submit(() -> {
            try (Connection c = platform.source(); Statement s = c.createStatement()) {
                while (sequence.get() < total) {
                    long id = nextProbeId++;
                    s.execute("INSERT INTO " + TABLE + " VALUES (" + id + ", 2, 'probe')");
                    written.add(id);
                    String lsn;
                    try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()")) {
                        rs.next();
                        lsn = rs.getString(1);
                    }
                    long asking = System.nanoTime();
                    asked.incrementAndGet();
                    answers.add(services.barrierAsync(CACHE, lsn, 120_000).thenAccept(answer -> {
                        if (answer.statusCode() == 200) {
                            barrier.add((System.nanoTime() - asking) / 1e6);
                            if (check.get("lat:" + id) == null) {
                                early.incrementAndGet(); // answered before the probe's own write was in Redis
                                if (earlyAnswers.size() < 5) {
                                    earlyAnswers.add("row " + id + " committed before lsn " + lsn + " (asked " + rate + "/s): " + answer.body());
                                }
                            }
                        }
                    }));
                    LockSupport.parkNanos(200_000_000L);
                }
            }
            return null;
        });
        for (Future<?> w : writers) {
            w.get();
        }
        long writtenAt = System.nanoTime();
        double seconds = (writtenAt - start) / 1e9;
        probe.get();
        pool.shutdown();
        boolean arrived = await(written, redis, Duration.ofSeconds(Math.min(600, 60 + written.size() / 200)), capture);
        double drain = (System.nanoTime() - writtenAt) / 1e9;
        Map<String, Double> cpu = ProcessMetrics.delta(cpuBefore, ProcessMetrics.cpu(pids));
        for (var answer : new ArrayList<>(answers)) {
            try {
                answer.get(150, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // counted as not answered
            }
        }
        check.close();
        hops.close();

        Map<Long, WebhookReceiver.Arrival> hooks = receiver.arrivals(PATH);
        Map<Long, Instant> keys = redis.written();
        List<Double> webhookMs = new ArrayList<>();
        List<Double> redisMs = new ArrayList<>();
        Map<Long, Instant> commits = new java.util.HashMap<>();
        long hooksArrived = 0;
        long keysWritten = 0;
        for (long id : written) {
            WebhookReceiver.Arrival a = hooks.get(id);
            if (a != null) {
                hooksArrived++;
                commits.put(id, a.commitTs());
                webhookMs.add(Duration.between(a.commitTs(), a.receivedAt()).toNanos() / 1e6);
                Instant set = keys.get(id);
                if (set != null) {
                    redisMs.add(Duration.between(a.commitTs(), set).toNanos() / 1e6);
                }
            }
            if (keys.containsKey(id)) {
                keysWritten++;
            }
        }
        return new Latency(rate, total / seconds, seconds, written.size(), Percentiles.of(webhookMs), hooksArrived, Percentiles.of(redisMs),
                keysWritten, Percentiles.of(barrier), barrier.size(), asked.get(), early.get(), arrived, drain, hopPercentiles(hops, commits), cpu);
    }

    /** Every process of the stack and the benchmark's own (its writers, receiver, watchers), as the throughput stages count them. */
    private Map<String, Long> measured(CaptureServer capture) {
        Map<String, Long> pids = Stages.shared(platform);
        pids.put("capture", capture.pid());
        pids.putAll(services.pids());
        return pids;
    }

    /** Per hop the changes' commit → seen there, then commit → webhook received, so the last hop is the gateway's delivery. */
    private static Map<String, Percentiles> hopPercentiles(HopWatcher hops, Map<Long, Instant> commits) {
        Map<String, Percentiles> out = new java.util.LinkedHashMap<>();
        hops.millisFromCommit(commits).forEach((hop, ms) -> out.put(hop, Percentiles.of(ms)));
        return out;
    }

    /** Waits until every change of {@code ids} reached both the webhook receiver and Redis; false at the deadline. */
    private boolean await(Set<Long> ids, RedisWatcher redis, Duration timeout, CaptureServer capture) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && capture.isAlive() && services.alive()) {
            if (receiver.arrivals(PATH).keySet().containsAll(ids) && redis.written().keySet().containsAll(ids)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    static String summary(Latency l) {
        StringBuilder hops = new StringBuilder();
        l.hopsMs().forEach((hop, p) -> hops.append(String.format("; %s p50 %.0f ms p99 %.0f ms", hop, p.p50(), p.p99())));
        return String.format("webhook p50 %.0f ms p99 %.0f ms, redis p50 %.0f ms p99 %.0f ms, barrier p50 %.0f ms; %s%s",
                l.webhookMs().p50(), l.webhookMs().p99(), l.redisMs().p50(), l.redisMs().p99(), l.barrierMs().p50(),
                l.everyChangeArrived() ? "every change arrived" : "NOT every change arrived", hops);
    }
}
