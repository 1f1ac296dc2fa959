package io.datamanager.e2e;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.UUID;
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
 * What {@code ./datamanager up} costs: the time from start to ready on a new data directory, and the resident
 * memory of the whole stack (every process it started, PostgreSQL included) idle and under a load of
 * {@value #RATE} changes a second, then how long history needs to hold every version. Prints its figures;
 * run it with {@code -Ddm.benchmark=true} (it is no pass/fail test).
 */
@EnabledIfSystemProperty(named = "dm.benchmark", matches = "true")
class LocalStackBenchmark {
    private static final int RATE = Integer.getInteger("dm.benchmark.rate", 1000);
    private static final int SECONDS = Integer.getInteger("dm.benchmark.seconds", 60);
    private static final int ROWS = 10_000;
    private static final int PER_TRANSACTION = 10;

    @Test
    void readyTimeAndResidentMemoryIdleAndUnderLoad() throws Exception {
        Path work = Files.createDirectories(TestKafka.workDir().resolve("local-stack-bench-" + UUID.randomUUID().toString().substring(0, 8)));
        Datamanager dm = new Datamanager(work.resolve("data"));
        Path log = work.resolve("up.log");
        Process up = dm.start(log, "up", "--no-activity");
        Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(250))
                .until(() -> Files.readString(log).contains("datamanager is up"));
        JsonNode run = dm.runFile();
        System.out.printf("ready in %.1f s on a new data directory%n", Datamanager.readyIn(log));
        try (Connection db = DriverManager.getConnection(dm.jdbcUrl(), "postgres", ""); Statement s = db.createStatement()) {
            s.execute("CREATE TABLE bench (id integer PRIMARY KEY, v integer NOT NULL, note text)");
            s.execute("INSERT INTO bench SELECT g, 0, 'row ' || g FROM generate_series(1, " + ROWS + ") g");
            awaitVersions(run, ROWS, Duration.ofMinutes(2));

            ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
            List<Long> idle = sample(clock, up, Duration.ofSeconds(30));
            System.out.println("resident memory, idle (30 s): " + summary(idle) + "; by process: " + byProcess(up));

            AtomicLong changes = new AtomicLong();
            PreparedStatement bump = db.prepareStatement("UPDATE bench SET v = v + 1 WHERE id = ANY (?)");
            long periodMicros = 1_000_000L * PER_TRANSACTION / RATE;
            var load = clock.scheduleAtFixedRate(() -> {
                try {
                    Integer[] ids = new Integer[PER_TRANSACTION];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = 1 + ThreadLocalRandom.current().nextInt(ROWS);
                    }
                    bump.setArray(1, db.createArrayOf("integer", ids));
                    changes.addAndGet(bump.executeUpdate());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, 0, periodMicros, TimeUnit.MICROSECONDS);
            long started = System.nanoTime();
            List<Long> loaded = sample(clock, up, Duration.ofSeconds(SECONDS));
            load.cancel(false);
            double seconds = (System.nanoTime() - started) / 1e9;
            long stopped = System.nanoTime();
            System.out.printf("load: %,d changes in %.1f s (%,.0f/s, %d rows per transaction)%n", changes.get(), seconds,
                    changes.get() / seconds, PER_TRANSACTION);
            System.out.println("resident memory, under load: " + summary(loaded) + "; by process at the end: " + byProcess(up));
            awaitVersions(run, ROWS + changes.get(), Duration.ofMinutes(10));
            System.out.printf("every version in history %.1f s after the load stopped%n", (System.nanoTime() - stopped) / 1e9);
            clock.shutdownNow();
        } finally {
            dm.run("down");
            up.waitFor(2, TimeUnit.MINUTES);
        }
    }

    /** Samples the stack's resident memory every second for {@code window}. */
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

    /** Resident memory in kB by process: up and everything it started, and the stack's PostgreSQL (pg_ctl detaches it). */
    private static Map<String, Long> byProcess(Process up) {
        Map<String, Long> rss = new LinkedHashMap<>();
        Stream.concat(Stream.of(up.toHandle()), up.toHandle().descendants()).forEach(p -> rss.merge(name(p), kb(p.pid()), Long::sum));
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("local-stack-bench-"))
                .filter(p -> p.info().command().orElse("").endsWith("/postgres"))
                .forEach(p -> Stream.concat(Stream.of(p), p.descendants()).forEach(q -> rss.merge("postgres", kb(q.pid()), Long::sum)));
        return rss;
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
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
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
