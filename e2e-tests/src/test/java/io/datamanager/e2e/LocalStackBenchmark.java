package io.datamanager.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.examples.httpnotify.WebhookReceiver;
import io.datamanager.model.Json;
import io.datamanager.testsupport.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * What {@code ./datamanager up} costs: the time from start to ready on a new data directory, and the memory of the whole
 * stack (every process it started, PostgreSQL included; PSS, so pages shared between processes count once) idle, under
 * the load issue 13 names (1,000 one-row transactions a second for 30 s, delivered to a signed webhook and to Redis) and
 * after it, and how long history and the webhook need to hold every change. Prints its figures; run it with
 * {@code -Ddm.benchmark=true} (it is no pass/fail test).
 */
@EnabledIfSystemProperty(named = "dm.benchmark", matches = "true")
class LocalStackBenchmark {
    private static final int RATE = Integer.getInteger("dm.benchmark.rate", 1000);
    private static final int SECONDS = Integer.getInteger("dm.benchmark.seconds", 30);
    private static final int ROWS = 10_000;
    private static final int PER_TRANSACTION = Integer.getInteger("dm.benchmark.rows-per-transaction", 1);
    private static final int WRITERS = Integer.getInteger("dm.benchmark.connections", 8);

    @Test
    void readyTimeAndMemoryIdleUnderLoadAndAfter() throws Exception {
        Path work = Files.createDirectories(TestKafka.workDir().resolve("local-stack-bench-" + UUID.randomUUID().toString().substring(0, 8)));
        Datamanager dm = new Datamanager(work.resolve("data"));
        Path log = work.resolve("up.log");
        Process up = dm.start(log, "up", "--no-activity");
        Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(250))
                .until(() -> Files.readString(log).contains("datamanager is up"));
        JsonNode run = dm.runFile();
        System.out.printf("ready in %.1f s on a new data directory%n", Datamanager.readyIn(log));
        ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
        ScheduledExecutorService writing = Executors.newScheduledThreadPool(WRITERS);
        List<Connection> connections = new ArrayList<>();
        try (Connection db = DriverManager.getConnection(dm.jdbcUrl(), "postgres", ""); Statement s = db.createStatement()) {
            // idle as started: the demo shop still (--no-activity), nothing written yet
            List<Long> idle = sample(clock, up, Duration.ofSeconds(30));
            System.out.println("memory (PSS), idle after start (30 s): " + summary(idle) + "; by process, MB: " + inMb(byProcess(up)));
            s.execute("CREATE TABLE bench (id integer PRIMARY KEY, v integer NOT NULL, note text)");
            s.execute("INSERT INTO bench SELECT g, 0, 'row ' || g FROM generate_series(1, " + ROWS + ") g");
            awaitVersions(run, ROWS, Duration.ofMinutes(2));

            Set<String> hooked = ConcurrentHashMap.newKeySet();
            try (WebhookReceiver receiver = new WebhookReceiver(0, change -> hooked.add(change.path("id").asText()))) {
                HttpResponse<String> hook = api(run, "PUT", "/api/subscriptions/bench-webhook",
                        "{\"table\":\"public.bench\",\"delivery\":{\"webhook\":{\"url\":\"" + receiver.url() + "\"}}}");
                receiver.secret(Json.tree(hook.body().getBytes(java.nio.charset.StandardCharsets.UTF_8), "subscription")
                        .path("delivery").path("webhook").path("secret").asText());
                api(run, "PUT", "/api/subscriptions/bench-redis",
                        "{\"table\":\"public.bench\",\"delivery\":{\"redis\":{\"keys\":[\"bench:{id}\"],\"action\":\"set\"}}}");

                AtomicLong changes = new AtomicLong();
                List<java.util.concurrent.ScheduledFuture<?>> writers = new ArrayList<>();
                long periodMicros = 1_000_000L * PER_TRANSACTION * WRITERS / RATE;
                for (int w = 0; w < WRITERS; w++) {
                    Connection writer = DriverManager.getConnection(dm.jdbcUrl(), "postgres", "");
                    connections.add(writer);
                    PreparedStatement bump = writer.prepareStatement("UPDATE bench SET v = v + 1 WHERE id = ANY (?)");
                    writers.add(writing.scheduleAtFixedRate(() -> {
                        try {
                            Integer[] ids = new Integer[PER_TRANSACTION];
                            for (int i = 0; i < ids.length; i++) {
                                ids[i] = 1 + ThreadLocalRandom.current().nextInt(ROWS);
                            }
                            bump.setArray(1, writer.createArrayOf("integer", ids));
                            changes.addAndGet(bump.executeUpdate());
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, w * periodMicros / WRITERS, periodMicros, TimeUnit.MICROSECONDS));
                }
                long started = System.nanoTime();
                List<Long> loaded = sample(clock, up, Duration.ofSeconds(SECONDS));
                writers.forEach(writer -> writer.cancel(false));
                writing.shutdown(); // a transaction already under way is counted before the total is read
                writing.awaitTermination(1, TimeUnit.MINUTES);
                double seconds = (System.nanoTime() - started) / 1e9;
                long stopped = System.nanoTime();
                System.out.printf("load: %,d changes in %.1f s (%,.0f/s, %d rows per transaction, %d connections)%n", changes.get(), seconds,
                        changes.get() / seconds, PER_TRANSACTION, WRITERS);
                System.out.println("memory (PSS), under load: " + summary(loaded) + "; by process at the end, MB: " + inMb(byProcess(up)));
                awaitVersions(run, ROWS + changes.get(), Duration.ofMinutes(10));
                System.out.printf("every version in history %.1f s after the load stopped%n", (System.nanoTime() - stopped) / 1e9);
                Awaitility.await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(250)).until(() -> hooked.size() >= changes.get());
                System.out.printf("every change at the webhook %.1f s after the load stopped (%,d received)%n", (System.nanoTime() - stopped) / 1e9,
                        hooked.size());
                List<Long> after = sample(clock, up, Duration.ofSeconds(30));
                System.out.println("memory (PSS), after the load (30 s, from when every change was delivered): " + summary(after)
                        + "; by process at the end, MB: " + inMb(byProcess(up)));
            }
        } finally {
            clock.shutdownNow();
            writing.shutdownNow();
            for (Connection connection : connections) {
                connection.close();
            }
            dm.run("down");
            up.waitFor(2, TimeUnit.MINUTES);
        }
    }

    /** Samples the stack's PSS every second for {@code window}. */
    private static List<Long> sample(ScheduledExecutorService clock, Process up, Duration window) throws InterruptedException {
        List<Long> samples = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        var sampler = clock.scheduleAtFixedRate(() -> samples.add(byProcess(up).values().stream().mapToLong(Long::longValue).sum()),
                0, 1, TimeUnit.SECONDS);
        clock.schedule(done::countDown, window.toMillis(), TimeUnit.MILLISECONDS);
        done.await();
        sampler.cancel(false);
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }

    /**
     * PSS in kB by process: up and everything it started, and the stack's PostgreSQL (pg_ctl detaches it). PSS divides a page
     * shared by n processes by n (PostgreSQL's shared buffers, the JDK's class archive, the same jars mapped by several JVMs).
     */
    private static Map<String, Long> byProcess(Process up) {
        Map<String, Long> pss = new LinkedHashMap<>();
        Stream.concat(Stream.of(up.toHandle()), up.toHandle().descendants()).forEach(p -> pss.merge(name(p), kb(p.pid()), Long::sum));
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("local-stack-bench-"))
                .filter(p -> p.info().command().orElse("").endsWith("/postgres"))
                .forEach(p -> Stream.concat(Stream.of(p), p.descendants()).forEach(q -> pss.merge("postgres", kb(q.pid()), Long::sum)));
        return pss;
    }

    private static Map<String, Long> inMb(Map<String, Long> kb) {
        Map<String, Long> mb = new LinkedHashMap<>(kb);
        mb.replaceAll((name, value) -> value / 1024);
        return mb;
    }

    private static String name(ProcessHandle p) {
        String line;
        try { // /proc itself: the JDK's view of a command line with a classpath this long leaves out the main class
            line = new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException gone) {
            return "other";
        }
        for (String[] known : new String[][] {{"io.datamanager.local.Cli", "cli"}, {"BrokerMain", "kafka"}, {"io.debezium.server.Main", "capture"},
                {"streams-app", "streams-app"}, {"history-sink", "history-sink"}, {"notify-gateway", "notify-gateway"}, {"redis", "redis"}}) {
            if (line.contains(known[0])) {
                return known[1];
            }
        }
        return "other";
    }

    private static long kb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException gone) {
            // ended between listing and reading
        }
        return 0;
    }

    private static String summary(List<Long> kb) {
        long max = kb.stream().mapToLong(Long::longValue).max().orElse(0);
        double avg = kb.stream().mapToLong(Long::longValue).average().orElse(0);
        return String.format("average %,.0f MB, max %,d MB (%d samples)", avg / 1024, max / 1024, kb.size());
    }

    private static HttpResponse<String> api(JsonNode run, String method, String path, String body) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(run.path("url").asText() + path))
                .header("Authorization", "Bearer " + run.path("token").asText()).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return answer;
    }

    /** Waits until the history-sink holds {@code expected} versions of public.bench. */
    private static void awaitVersions(JsonNode run, long expected, Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<byte[]> tables = http.send(HttpRequest.newBuilder(URI.create(run.path("url").asText() + "/api/tables"))
                    .header("Authorization", "Bearer " + run.path("token").asText()).build(), HttpResponse.BodyHandlers.ofByteArray());
            for (JsonNode table : Json.tree(tables.body(), "tables")) {
                if (table.path("table").asText().equals("public.bench")) {
                    return table.path("versions").asLong() >= expected;
                }
            }
            return false;
        });
    }
}
