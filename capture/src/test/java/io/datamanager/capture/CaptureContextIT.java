package io.datamanager.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.Json;
import io.datamanager.testsupport.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Application context on Debezium Server with the shipped configuration: {@code dm.context} messages reach the message
 * topic, and the transform puts the merged context of a transaction on every change after its first message, also across
 * a SIGKILL in the middle of a large transaction.
 */
class CaptureContextIT {
    private static final String ALICE = "{\"user\":\"alice\",\"source\":\"billing-job\"}";

    @Test
    void contextGoesOnTheChangesAfterTheMessagesOfItsTransaction() throws Exception {
        try (CaptureHarness h = new CaptureHarness(CaptureContextIT.class)) {
            h.sql("CREATE TABLE items (id integer PRIMARY KEY, n integer NOT NULL)");
            h.startCapture();
            h.sql("INSERT INTO items VALUES (0, 0)");
            h.readUntil(events -> !events.isEmpty()); // streaming: what follows is captured as it is written
            transaction(h, emit(ALICE), "INSERT INTO items VALUES (1, 1)", "INSERT INTO items VALUES (2, 1)"); // first
            transaction(h, "INSERT INTO items VALUES (3, 1)", emit(ALICE), "INSERT INTO items VALUES (4, 1)"); // middle
            transaction(h, "INSERT INTO items VALUES (5, 1)", "INSERT INTO items VALUES (6, 1)", emit(ALICE)); // last
            transaction(h, emit("{\"user\":\"alice\",\"source\":\"web\"}"), "INSERT INTO items VALUES (7, 1)",
                    emit("{\"source\":\"billing-job\",\"request\":\"r-81\"}"), "INSERT INTO items VALUES (8, 1)"); // two
            transaction(h, "INSERT INTO items VALUES (9, 1)"); // none

            Map<Integer, String> context = contextById(TopicReader.readUntil(h.bootstrap, h.prefix + ".cdc.public.items",
                    records -> records.size() >= 10, Duration.ofSeconds(60)));
            assertThat(context.get(1)).isEqualTo(ALICE);
            assertThat(context.get(2)).isEqualTo(ALICE);
            assertThat(context.get(3)).as("before the message").isNull();
            assertThat(context.get(4)).isEqualTo(ALICE);
            assertThat(context.get(5)).isNull();
            assertThat(context.get(6)).isNull();
            assertThat(context.get(7)).isEqualTo("{\"user\":\"alice\",\"source\":\"web\"}");
            assertThat(context.get(8)).as("merged, the later key wins")
                    .isEqualTo("{\"user\":\"alice\",\"source\":\"billing-job\",\"request\":\"r-81\"}");
            assertThat(context.get(9)).isNull();

            List<ConsumerRecord<byte[], byte[]>> messages = TopicReader.readUntil(h.bootstrap, h.prefix + ".cdc.message",
                    records -> records.size() >= 5, Duration.ofSeconds(30));
            assertThat(messages).hasSize(5).allSatisfy(m -> assertThat(Json.tree(m.value(), "message").path("message")
                    .path("prefix").asText()).isEqualTo("dm.context"));
        }
    }

    @Test
    void changesAfterARestartInTheMiddleOfALargeTransactionStillCarryItsContext() throws Exception {
        int rows = 60_000;
        try (CaptureHarness h = new CaptureHarness(CaptureContextIT.class)) {
            h.sql("CREATE TABLE big (id integer PRIMARY KEY, n integer NOT NULL)", "INSERT INTO big VALUES (0, 0)");
            h.startCapture();
            h.readUntil(events -> !events.isEmpty());
            String topic = h.prefix + ".cdc.public.big";
            transaction(h, emit(ALICE), "INSERT INTO big SELECT i, i FROM generate_series(1, " + rows + ") i");

            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                    .until(() -> CaptureServerIT.KafkaCounts.records(h.bootstrap, topic) >= 5_000);
            h.killCapture();
            long atKill = CaptureServerIT.KafkaCounts.records(h.bootstrap, topic);
            assertThat(atKill).as("killed in the middle of the transaction").isLessThan(rows + 1);
            h.startCapture();

            Map<Integer, String> context = new HashMap<>();
            Predicate<List<ConsumerRecord<byte[], byte[]>>> all = new DistinctIds(context, rows + 1);
            List<ConsumerRecord<byte[], byte[]>> records = TopicReader.readUntil(h.bootstrap, topic, all, Duration.ofSeconds(240));
            assertThat(records.size()).as("some changes were sent after the restart").isGreaterThan((int) atKill);
            assertThat(records.stream().filter(r -> Json.tree(r.key(), "key").get("id").asInt() != 0))
                    .as("every change of the transaction, before and after the restart, carries its context")
                    .allSatisfy(r -> assertThat(context(r)).isEqualTo(ALICE));
            for (int id = 1; id <= rows; id++) {
                assertThat(context.get(id)).as("row %d", id).isEqualTo(ALICE);
            }
            long messages = CaptureServerIT.KafkaCounts.records(h.bootstrap, h.prefix + ".cdc.message");
            String log = Files.readString(h.server().log());
            System.out.printf("killed with %d of %d changes in Kafka; %d sent after the restart; %d dm.context message record(s); "
                    + "read back: %s%n", atKill, rows, records.size() - atKill, messages, log.contains("read back from"));
            assertThat(log).as("the context was read back from the message topic").contains("read back from " + h.prefix + ".cdc.message");
        }
    }

    /** Reads until every id up to {@code expected} was seen, keeping the context of each row's last record. */
    private static final class DistinctIds implements Predicate<List<ConsumerRecord<byte[], byte[]>>> {
        private final Map<Integer, String> context;
        private final int expected;
        private final Set<Integer> seen = new HashSet<>();
        private int read;

        DistinctIds(Map<Integer, String> context, int expected) {
            this.context = context;
            this.expected = expected;
        }

        @Override
        public boolean test(List<ConsumerRecord<byte[], byte[]>> records) {
            for (; read < records.size(); read++) {
                ConsumerRecord<byte[], byte[]> r = records.get(read);
                int id = Json.tree(r.key(), "key").get("id").asInt();
                seen.add(id);
                context.put(id, context(r));
            }
            return seen.size() >= expected;
        }
    }

    private static String emit(String context) {
        return "SELECT pg_logical_emit_message(true, 'dm.context', '" + context + "')";
    }

    private static void transaction(CaptureHarness h, String... statements) throws Exception {
        try (Connection c = h.pg.connect(h.database); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (String statement : statements) {
                s.execute(statement);
            }
            c.commit();
        }
    }

    private static Map<Integer, String> contextById(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<Integer, String> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            out.put(Json.tree(r.key(), "key").get("id").asInt(), context(r));
        }
        return out;
    }

    /** The dm.context header as the JSON object text (Debezium Server's JSON header format wraps it in a JSON string). */
    static String context(ConsumerRecord<byte[], byte[]> record) {
        byte[] header = CaptureHarness.header(record, "dm.context");
        if (header == null) {
            return null;
        }
        JsonNode node = Json.tree(header, "header");
        return node.isTextual() ? node.asText() : new String(header, StandardCharsets.UTF_8);
    }
}
