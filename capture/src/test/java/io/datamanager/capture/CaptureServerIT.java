package io.datamanager.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Lsn;
import io.datamanager.model.debezium.CaptureOffsets;
import io.datamanager.runtime.CaptureServer;
import io.datamanager.testsupport.TestKafka;
import io.datamanager.testsupport.TopicReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What capture promised before it was Debezium Server, checked on Debezium Server: offsets committed only after Kafka
 * acknowledged (a SIGKILL mid-stream loses nothing), heartbeats that carry its position past any LSN, health and
 * metrics, and a server that stops with the process that started it.
 */
class CaptureServerIT {
    private static final int TRANSACTIONS = 150;
    private static final int ROWS = 100;

    @Test
    void aServerKilledMidStreamLosesNoChangeWhenItComesBack() throws Exception {
        try (CaptureHarness h = new CaptureHarness(CaptureServerIT.class)) {
            h.sql("CREATE TABLE items (id integer PRIMARY KEY, n integer NOT NULL)");
            h.startCapture();
            h.readUntil(events -> true); // the change topics are being read: a slot exists, what follows is streamed
            awaitSlot(h);

            Thread writer = new Thread(() -> write(h), "writer");
            writer.start();
            // killed while it streams: some of the writer's rows are in Kafka, others are not yet
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                    .until(() -> KafkaCounts.records(h.bootstrap, h.prefix + ".cdc.public.items") >= 1_000);
            h.killCapture();
            long capturedAtKill = KafkaCounts.records(h.bootstrap, h.prefix + ".cdc.public.items");
            writer.join();
            assertThat(capturedAtKill).as("killed mid-stream").isLessThan(TRANSACTIONS * ROWS);

            h.startCapture();
            List<ChangeEvent> events = CaptureHarness.parse(TopicReader.readUntil(h.bootstrap, h.prefix + ".cdc.public.items",
                    records -> ids(CaptureHarness.parse(records)).size() == TRANSACTIONS * ROWS, Duration.ofSeconds(180)));

            Set<Integer> ids = ids(events);
            assertThat(ids).hasSize(TRANSACTIONS * ROWS).first().isEqualTo(1);
            assertThat(((TreeSet<Integer>) ids).last()).isEqualTo(TRANSACTIONS * ROWS);
            long replayed = events.size() - ids.size();
            System.out.printf("killed with %d of %d rows in Kafka; %d changes sent again after the restart%n", capturedAtKill,
                    TRANSACTIONS * ROWS, replayed);
            assertThat(events.stream().collect(Collectors.groupingBy(ChangeEvent::id, Collectors.counting())).values())
                    .as("a change sent again is the same change (same id), never a new one").allMatch(n -> n <= 2);
        }
    }

    @Test
    void heartbeatsCarryTheCommittedPositionPastAnLsnReadAfterACommitWithNothingWrittenAfterIt() throws Exception {
        try (CaptureHarness h = new CaptureHarness(CaptureServerIT.class)) {
            h.sql("CREATE TABLE notes (id integer PRIMARY KEY, body text)");
            h.startCapture();
            awaitSlot(h);
            h.sql("INSERT INTO notes VALUES (1, 'one')");
            Lsn written = new Lsn(Long.parseLong(query(h, "SELECT pg_current_wal_lsn() - '0/0'")));

            List<ConsumerRecord<byte[], byte[]>> offsets = TopicReader.readUntil(h.bootstrap, h.offsetsTopic(),
                    records -> position(records).filter(p -> p.compareTo(written) >= 0).isPresent(), Duration.ofSeconds(60));
            assertThat(position(offsets)).get().isNotNull();
            // Debezium confirms to the slot what it reads back as flushed (AcknowledgedOffsetStore answers that read):
            // the slot's confirmed position moves past the write, so PostgreSQL can drop the WAL before it
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Long.parseLong(query(h,
                    "SELECT confirmed_flush_lsn - '0/0' FROM pg_replication_slots WHERE slot_name = 'slot_" + h.prefix + "'")) >= written.value());
            assertThat(TopicReader.readUntil(h.bootstrap, h.prefix + ".heartbeat." + h.prefix + ".cdc", r -> !r.isEmpty(),
                    Duration.ofSeconds(30))).as("heartbeat records").isNotEmpty();
        }
    }

    @Test
    void answersHealthOnItsPortAndServesItsMetricsToPrometheus() throws Exception {
        try (CaptureHarness h = new CaptureHarness(CaptureServerIT.class)) {
            h.sql("CREATE TABLE t (id integer PRIMARY KEY)", "INSERT INTO t VALUES (1)");
            int metricsPort = io.datamanager.runtime.FreePorts.pick();
            h.env.put("JMX_EXPORTER_PORT", Integer.toString(metricsPort));
            h.startCapture();
            h.readUntil(events -> !events.isEmpty());
            CaptureServer server = h.server();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> server.live() && server.ready());

            HttpClient http = HttpClient.newHttpClient();
            String metrics = Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body(), body -> body.contains("debezium_streaming_connected"));
            assertThat(metrics).containsPattern("debezium_streaming_connected\\{[^}]*server=\"" + h.prefix + "\\.cdc\"[^}]*} 1\\.0")
                    .contains("debezium_snapshot_snapshotcompleted").contains("debezium_streaming_millisecondsbehindsource")
                    .contains("kafka_producer_record_send{");
        }
    }

    @Test
    void stopsWhenTheProcessThatStartedItEnds() throws Exception {
        try (CaptureHarness h = new CaptureHarness(CaptureServerIT.class)) {
            Process parent = new ProcessBuilder("sleep", "600").start();
            h.env.put("DM_PARENT_PID", Long.toString(parent.pid()));
            h.startCapture();
            CaptureServer server = h.server();
            Awaitility.await().atMost(Duration.ofSeconds(90)).until(server::live);

            parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !server.isAlive());
            assertThat(java.nio.file.Files.readString(server.log())).contains("the parent process " + parent.pid() + " ended");
        }
    }

    private static void write(CaptureHarness h) {
        try (Connection c = h.pg.connect(h.database)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (int t = 0; t < TRANSACTIONS; t++) {
                    s.execute("INSERT INTO items SELECT i, i FROM generate_series(" + (t * ROWS + 1) + ", " + (t + 1) * ROWS + ") i");
                    c.commit();
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<Integer> ids(List<ChangeEvent> events) {
        return events.stream().map(e -> e.pk().get("id").asInt()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Optional<Lsn> position(List<ConsumerRecord<byte[], byte[]>> records) {
        for (int i = records.size() - 1; i >= 0; i--) {
            Optional<Lsn> position = CaptureOffsets.position(records.get(i).value());
            if (position.isPresent()) {
                return position;
            }
        }
        return Optional.empty();
    }

    private static void awaitSlot(CaptureHarness h) {
        Awaitility.await().atMost(Duration.ofSeconds(90)).failFast("Debezium Server stopped", () -> !h.server().isAlive())
                .ignoreExceptions().until(() -> "1".equals(query(h,
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'slot_" + h.prefix + "' AND active")));
    }

    private static String query(CaptureHarness h, String sql) throws Exception {
        try (Connection c = h.pg.connect(h.database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }


    /** Records in a topic, by its end offsets. */
    static final class KafkaCounts {
        private KafkaCounts() {}

        static long records(String bootstrap, String topic) throws Exception {
            try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
                if (!admin.listTopics().names().get(5, TimeUnit.SECONDS).contains(topic)) {
                    return 0;
                }
                var description = admin.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS).get(topic);
                Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
                description.partitions().forEach(p -> latest.put(new org.apache.kafka.common.TopicPartition(topic, p.partition()),
                        org.apache.kafka.clients.admin.OffsetSpec.latest()));
                return admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS).values().stream().mapToLong(i -> i.offset()).sum();
            }
        }
    }
}
