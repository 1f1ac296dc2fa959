package io.datamanager.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.Op;
import io.datamanager.model.debezium.CaptureOffsets;
import io.datamanager.runtime.CaptureServer;
import io.datamanager.testsupport.CaptureEnvironment;
import io.datamanager.testsupport.TestKafka;
import io.datamanager.testsupport.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code connector-config/connect/postgres-source.json} registered with a real Kafka Connect worker (distributed mode, a
 * child JVM from Maven's connect-runtime, the transform on its plugin path) captures the same {@code ChangeEvent}s as
 * Debezium Server does from the same database, and the worker's offsets topic carries capture's position past an LSN
 * read after a commit, which is what the gateway's consistency barrier reads ({@code DM_OFFSETS_TOPIC}).
 */
class KafkaConnectIT {
    private static final String CONNECTOR = "dm-postgres-source";

    @Test
    void theConnectorConfigurationOnKafkaConnectCapturesWhatDebeziumServerCaptures() throws Exception {
        try (CaptureHarness h = new CaptureHarness(KafkaConnectIT.class)) {
            h.sql(new String(KafkaConnectIT.class.getResourceAsStream("/capture-fixture-schema.sql").readAllBytes(), StandardCharsets.UTF_8));
            h.startCapture(); // Debezium Server, topics <prefix>.cdc.*
            String connectPrefix = "k" + h.prefix.substring(1);
            String group = "dm-connect-" + connectPrefix;
            Path dir = TestKafka.workDir().resolve("connect-" + connectPrefix);
            try (ConnectWorker worker = ConnectWorker.start(h.bootstrap, group, pgEnv(h), dir)) {
                Awaitility.await().atMost(Duration.ofSeconds(120)).failFast("the worker stopped; see " + worker.log(), () -> !worker.isAlive())
                        .until(worker::ready);
                var answer = worker.put(CONNECTOR, shippedConfig(connectPrefix).toString());
                assertThat(answer.statusCode()).as(answer.body()).isIn(200, 201);
                Awaitility.await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
                        .until(() -> worker.get("/connectors/" + CONNECTOR + "/status").body().contains("\"state\":\"RUNNING\""));
                // both have read their snapshot, so both slots exist and every statement below is streamed by both
                h.readUntil(events -> count(events, Op.SNAPSHOT) >= 2);
                readUntil(h, connectPrefix, events -> count(events, Op.SNAPSHOT) >= 2);

                h.sql("INSERT INTO all_types (id, c_int, c_numeric, c_jsonb, c_timestamptz) VALUES (2, 1, 0.5, '{\"a\":[1,2]}', now())",
                        "UPDATE all_types SET c_int = 2 WHERE id = 2",
                        "UPDATE docs SET title = 'second' WHERE id = 1",
                        "DELETE FROM all_types WHERE id = 2",
                        "BEGIN; INSERT INTO line_items VALUES (10, 1, 3); SELECT pg_logical_emit_message(true, 'dm.context', "
                                + "'{\"user\":\"alice\"}'); INSERT INTO line_items VALUES (10, 2, 4); COMMIT",
                        "INSERT INTO audit_log VALUES ('2026-11-23T10:00:00Z', 'created')",
                        "TRUNCATE audit_log");
                Lsn written = new Lsn(Long.parseLong(query(h, "SELECT pg_current_wal_lsn() - '0/0'")));
                List<ConsumerRecord<byte[], byte[]>> serverRecords = h.readUntil(events -> count(events, Op.TRUNCATE) >= 1);
                List<ConsumerRecord<byte[], byte[]>> connectRecords = readUntil(h, connectPrefix, events -> count(events, Op.TRUNCATE) >= 1);
                List<ChangeEvent> server = streamed(serverRecords);
                List<ChangeEvent> connect = streamed(connectRecords);
                for (List<ConsumerRecord<byte[], byte[]>> records : List.of(serverRecords, connectRecords)) {
                    java.util.Map<String, String> byKey = new java.util.HashMap<>();
                    records.stream().filter(r -> r.topic().endsWith(".line_items"))
                            .forEach(r -> byKey.put(new String(r.key(), StandardCharsets.UTF_8), CaptureContextIT.context(r)));
                    assertThat(byKey).as("the context goes on the change after the message, on both").hasSize(2)
                            .containsValues(null, "{\"user\":\"alice\"}");
                    assertThat(byKey.entrySet()).filteredOn(e -> e.getValue() != null).singleElement()
                            .satisfies(e -> assertThat(e.getKey()).contains("\"line_no\":2"));
                }

                assertThat(server).hasSize(8);
                assertThat(connect).as("the same changes, the same ids, types and images")
                        .map(KafkaConnectIT::withoutCaptureTime).containsExactlyElementsOf(server.stream().map(KafkaConnectIT::withoutCaptureTime).toList());

                List<ConsumerRecord<byte[], byte[]>> offsets = TopicReader.readUntil(h.bootstrap, ConnectWorker.offsetsTopic(group),
                        records -> position(records).filter(p -> p.compareTo(written) >= 0).isPresent(), Duration.ofSeconds(60));
                assertThat(new String(offsets.get(offsets.size() - 1).key(), StandardCharsets.UTF_8))
                        .as("the worker's offsets topic holds the connector's source offsets").contains(CONNECTOR).contains(connectPrefix + ".cdc");
            } finally {
                h.sql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'slot_" + connectPrefix + "' AND NOT active");
            }
        }
    }

    /** The shipped connector configuration, with topics and slot of this test's own (the test Kafka and PostgreSQL are shared). */
    private static ObjectNode shippedConfig(String prefix) throws Exception {
        Path file = CaptureEnvironment.layout().config().resolveSibling("connect").resolve("postgres-source.json");
        ObjectNode config = (ObjectNode) Json.tree(Files.readAllBytes(file), "connector").get("config");
        config.put("topic.prefix", prefix + ".cdc");
        config.put("topic.heartbeat.prefix", prefix + ".heartbeat");
        config.put("slot.name", "slot_" + prefix);
        config.put("transforms.dmcontext.message.topic", prefix + ".cdc.message");
        return config;
    }

    private static Map<String, String> pgEnv(CaptureHarness h) {
        return Map.of("DM_PG_HOST", h.env.get("DM_PG_HOST"), "DM_PG_PORT", h.env.get("DM_PG_PORT"), "DM_PG_USER", h.env.get("DM_PG_USER"),
                "DM_PG_PASSWORD", h.env.get("DM_PG_PASSWORD"), "DM_PG_DATABASE", h.database, "DM_PG_SSLMODE", "prefer", "DM_KAFKA_BOOTSTRAP", h.bootstrap);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readUntil(CaptureHarness h, String prefix,
            java.util.function.Predicate<List<ChangeEvent>> done) {
        return TopicReader.readUntil(h.bootstrap, Pattern.compile(Pattern.quote(prefix + ".cdc.") + "(?!message$).+"),
                records -> done.test(CaptureHarness.parse(records)), Duration.ofSeconds(120));
    }

    /** The streamed changes in WAL order (snapshot reads carry each slot's own snapshot position, so they are left out). */
    private static List<ChangeEvent> streamed(List<ConsumerRecord<byte[], byte[]>> records) {
        return CaptureHarness.parse(records).stream().filter(e -> e.op() != Op.SNAPSHOT)
                .sorted(java.util.Comparator.comparing(ChangeEvent::lsnValue).thenComparing(ChangeEvent::id)).toList();
    }

    private static JsonNode withoutCaptureTime(ChangeEvent e) {
        ObjectNode json = (ObjectNode) Json.tree(e.toJson(), "event");
        json.remove("captureTs");
        return json;
    }

    private static long count(List<ChangeEvent> events, Op op) {
        return events.stream().filter(e -> e.op() == op).count();
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

    private static String query(CaptureHarness h, String sql) throws Exception {
        try (Connection c = h.pg.connect(h.database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
