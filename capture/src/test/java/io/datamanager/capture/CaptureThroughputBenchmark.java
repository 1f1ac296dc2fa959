package io.datamanager.capture;

import io.datamanager.runtime.ChildProcesses;
import io.datamanager.testsupport.TestKafka;
import io.datamanager.testsupport.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Capture throughput: changes per second into {@code dm.cdc.*} while a writer commits transactions of 100 rows as fast
 * as it can, from its first commit to the Kafka timestamp of the last record. Debezium Server always; with
 * {@code -Ddm.benchmark.embedded=<a checkout built before Debezium Server>} also the embedded-engine runner that capture
 * was before ({@code CaptureMain} from that checkout's connector-config), in the same run, on the same PostgreSQL and
 * Kafka. Run: {@code ./mvnw -pl capture -am verify -Dtest=CaptureThroughputBenchmark -Ddm.benchmark=true
 * -Dsurefire.failIfNoSpecifiedTests=false}; the figures are in the test's output.
 *
 * <p>The cost of application context ({@code contextOverhead...}): the same writer with and without a {@code dm.context}
 * message at the start of every transaction, and the shipped configuration against Debezium Server's default of running
 * transforms on a thread per core without the context transform (what capture was before it).
 */
@EnabledIfSystemProperty(named = "dm.benchmark", matches = "true")
class CaptureThroughputBenchmark {
    private static final int TRANSACTIONS = Integer.getInteger("dm.benchmark.transactions", 300);
    private static final int ROWS = 100;

    @Test
    void changesPerSecondIntoDmCdcForTransactionsOf100Rows() throws Exception {
        String embedded = System.getProperty("dm.benchmark.embedded");
        for (int round = 0; round < 2; round++) { // the first round of each warms PostgreSQL, Kafka and the class-data archive
            if (embedded != null && !embedded.isBlank()) {
                measure("embedded engine (before)", round, h -> startEmbedded(Path.of(embedded), h));
            }
            measure("Debezium Server (after)", round, h -> {
                h.startCapture();
                return h.server()::close;
            });
        }
    }

    @Test
    void contextOverheadChangesPerSecondWithAndWithoutAMessageInEveryTransaction() throws Exception {
        for (int round = 0; round < 3; round++) { // round 1 warms up
            measure("no context, transforms on a thread per core, no context transform", round, false, h -> {
                h.env.put("DEBEZIUM_TRANSFORMS", "dmtypes");
                h.env.put("DEBEZIUM_SOURCE_RECORD_PROCESSING_THREADS", "AVAILABLE_CORES");
                h.startCapture();
                return h.server()::close;
            });
            measure("no context (shipped config)", round, false, h -> {
                h.startCapture();
                return h.server()::close;
            });
            measure("context message in every transaction (shipped config)", round, true, h -> {
                h.startCapture();
                return h.server()::close;
            });
        }
    }

    interface Capture {
        AutoCloseable start(CaptureHarness h) throws Exception;
    }

    private static void measure(String name, int round, Capture capture) throws Exception {
        measure(name, round, false, capture);
    }

    private static void measure(String name, int round, boolean context, Capture capture) throws Exception {
        try (CaptureHarness h = new CaptureHarness(CaptureThroughputBenchmark.class)) {
            h.sql("CREATE TABLE bench (id integer PRIMARY KEY, n integer NOT NULL, note text NOT NULL)");
            long launched = System.nanoTime();
            try (AutoCloseable running = capture.start(h)) {
                Awaitility.await().atMost(Duration.ofSeconds(180)).ignoreExceptions().until(() -> slotActive(h));
                double startSeconds = (System.nanoTime() - launched) / 1e9;
                long began = System.currentTimeMillis();
                try (Connection c = h.pg.connect(h.database); Statement s = c.createStatement()) {
                    c.setAutoCommit(false);
                    for (int t = 0; t < TRANSACTIONS; t++) {
                        if (context) {
                            s.execute("SELECT pg_logical_emit_message(true, 'dm.context', '{\"user\":\"alice\",\"request\":\"r-" + t
                                    + "\",\"source\":\"billing-job\"}')");
                        }
                        s.execute("INSERT INTO bench SELECT i, i, 'row ' || i FROM generate_series(" + (t * ROWS + 1) + ", " + (t + 1) * ROWS + ") i");
                        c.commit();
                    }
                }
                long written = System.currentTimeMillis();
                int total = TRANSACTIONS * ROWS;
                List<ConsumerRecord<byte[], byte[]>> records = TopicReader.readUntil(h.bootstrap, h.prefix + ".cdc.public.bench",
                        r -> r.size() >= total, Duration.ofSeconds(600));
                long last = records.stream().mapToLong(ConsumerRecord::timestamp).max().orElseThrow();
                long first = records.stream().mapToLong(ConsumerRecord::timestamp).min().orElseThrow();
                System.out.printf("throughput %s round %d: %,d changes in %d transactions; %,.0f changes/s from the first commit to the last "
                        + "record (%,.0f/s between first and last record); writer done in %.2f s; capture ready in %.1f s; load %s%n",
                        name, round + 1,
                        total, TRANSACTIONS, total / ((last - began) / 1000.0), total / ((last - first) / 1000.0), (written - began) / 1000.0,
                        startSeconds, loadAverage());
                if (context) {
                    long carrying = records.stream().filter(r -> r.headers().lastHeader("dm.context") != null).count();
                    if (carrying != total) {
                        throw new AssertionError(carrying + " of " + total + " changes carry the context");
                    }
                }
            }
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static boolean slotActive(CaptureHarness h) throws Exception {
        try (Connection c = h.pg.connect(h.database); Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name = 'slot_" + h.prefix + "'")) {
            return rs.next() && rs.getInt(1) == 1;
        }
    }

    /** CaptureMain of the old connector-config, with the JVM flags its launcher (CaptureProcess) gave it. */
    private static AutoCloseable startEmbedded(Path checkout, CaptureHarness h) throws Exception {
        Path module = checkout.resolve("connector-config/target/classes");
        String classpath = module + java.io.File.pathSeparator
                + Files.readString(module.resolve("io/datamanager/capture/capture.classpath")).trim();
        List<String> command = new ArrayList<>(List.of(ChildProcesses.java(), "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath, "io.datamanager.capture.CaptureMain"));
        ProcessBuilder builder = new ProcessBuilder(ChildProcesses.ownSession(command)).redirectErrorStream(true)
                .redirectOutput(TestKafka.workDir().resolve("embedded-" + h.prefix + ".log").toFile());
        builder.environment().putAll(h.env);
        builder.environment().putAll(Map.of("DM_PARENT_PID", Long.toString(ProcessHandle.current().pid())));
        Process process = builder.start();
        return () -> ChildProcesses.stop(process, Duration.ofSeconds(30));
    }
}
