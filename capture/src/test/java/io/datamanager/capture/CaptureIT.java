package io.datamanager.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A PostgreSQL change, captured by Debezium Server through logical replication (pgoutput) with the shipped
 * configuration ({@code connector-config/debezium}), lands in Kafka and parses into the ChangeEvent the contract
 * describes. With
 * {@code -Ddm.fixtures.write=<dir>} the raw records are also written as fixtures for change-model's tests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CaptureIT {
    private static CaptureHarness h;
    private static Instant started;

    @BeforeAll
    static void startCapture() throws Exception {
        h = new CaptureHarness(CaptureIT.class);
        h.sql(new String(CaptureIT.class.getResourceAsStream("/capture-fixture-schema.sql").readAllBytes(), StandardCharsets.UTF_8));
        started = Instant.now();
        h.startCapture();
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    @Order(1)
    void snapshotKeepsThePostgresMeaningOfEveryCommonType() {
        List<ConsumerRecord<byte[], byte[]>> records = h.readUntil(events -> count(events, "public.all_types", Op.SNAPSHOT) >= 1);
        writeFixture("snapshot-all-types", records, r -> r.topic().endsWith(".all_types"));
        ChangeEvent e = only(CaptureHarness.parse(records), "public.all_types", Op.SNAPSHOT);
        JsonNode row = e.after();

        assertThat(e.pk()).isEqualTo(Json.mapper().createObjectNode().put("id", 1));
        assertThat(e.complete()).isTrue();
        assertThat(e.before()).isNull();
        assertThat(row.get("c_smallint").asInt()).isEqualTo(7);
        assertThat(row.get("c_int").asInt()).isEqualTo(42);
        assertThat(row.get("c_bigint").asLong()).isEqualTo(9007199254740993L);
        assertThat(row.get("c_numeric").asText()).isEqualTo("12345.678");
        assertThat(row.get("c_numeric_any").asText()).isEqualTo("NaN");
        assertThat(row.get("c_real").asDouble()).isEqualTo(1.5);
        assertThat(row.get("c_double").asDouble()).isEqualTo(2.25);
        assertThat(row.get("c_bool").asBoolean()).isTrue();
        assertThat(row.get("c_text").asText()).isEqualTo("héllo \"quoted\"");
        assertThat(row.get("c_varchar").asText()).isEqualTo("varchar");
        assertThat(row.get("c_char").asText()).isEqualTo("ab   ");
        assertThat(row.get("c_uuid").asText()).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(row.get("c_date").asText()).isEqualTo("2026-11-23");
        assertThat(row.get("c_time").asText()).isEqualTo("10:15:30.123456");
        assertThat(row.get("c_timestamp").asText()).isEqualTo("2026-11-23T10:15:30.123456");
        assertThat(row.get("c_timestamp3").asText()).isEqualTo("2026-11-23T10:15:30.123");
        assertThat(Instant.parse(row.get("c_timestamptz").asText())).isEqualTo(Instant.parse("2026-11-23T10:15:30.123456Z"));
        assertThat(row.get("c_interval").asText()).isEqualTo("P1Y2M3DT4H5M6.5S");
        assertThat(row.get("c_json")).isEqualTo(Json.tree("{\"a\": 1, \"b\": [true, null]}".getBytes(StandardCharsets.UTF_8), "t"));
        assertThat(row.get("c_jsonb").get("nested").get("x").decimalValue()).isEqualByComparingTo("1.10");
        assertThat(row.get("c_bytea").asText()).isEqualTo("3q2+7w==");
        assertThat(row.get("c_int_array").toString()).isEqualTo("[1,2,3]");
        assertThat(row.get("c_text_array").toString()).isEqualTo("[\"a\",\"b c\"]");
        assertThat(row.get("c_date_array").toString()).isEqualTo("[\"2026-01-01\",\"2026-12-31\"]");
        assertThat(row.get("c_mood").asText()).isEqualTo("happy");
        assertThat(row.has("c_null")).isTrue();
        assertThat(row.get("c_null").isNull()).isTrue();
    }

    @Test
    @Order(2)
    void updateLeavingAToastedColumnUnchangedNamesItMissingInsteadOfShowingThePlaceholder() throws Exception {
        h.sql("UPDATE docs SET title = 'second' WHERE id = 1");
        List<ConsumerRecord<byte[], byte[]>> records = h.readUntil(events -> count(events, "public.docs", Op.UPDATE) >= 1);
        writeFixture("update-toast-unchanged", records, r -> r.topic().endsWith(".docs"));
        ChangeEvent e = only(CaptureHarness.parse(records), "public.docs", Op.UPDATE);

        assertThat(new String(e.toJson(), StandardCharsets.UTF_8)).doesNotContain("__debezium_unavailable_value");
        assertThat(e.after().get("title").asText()).isEqualTo("second");
        assertThat(e.after().has("body")).isFalse();
        assertThat(e.before()).as("REPLICA IDENTITY DEFAULT sends no before image").isNull();
        assertThat(e.complete()).isFalse();
        assertThat(e.missing()).containsExactlyInAnyOrder("before", "after.body");
    }

    @Test
    @Order(3)
    void streamedChangesCarryOpPkLsnTransactionAndMicrosecondCommitTime() throws Exception {
        h.sql("INSERT INTO all_types (id, c_int, c_numeric) VALUES (2, 1, 0.5)",
                "UPDATE all_types SET c_int = 2 WHERE id = 2",
                "DELETE FROM all_types WHERE id = 2",
                "BEGIN; INSERT INTO line_items VALUES (10, 1, 3); INSERT INTO line_items VALUES (10, 2, 4); COMMIT",
                "UPDATE line_items SET qty = 5 WHERE order_id = 10 AND line_no = 2");
        List<ConsumerRecord<byte[], byte[]>> records = h.readUntil(events -> count(events, "public.all_types", Op.DELETE) >= 1
                && count(events, "public.line_items", Op.UPDATE) >= 1);
        writeFixture("stream-all-types", records, r -> r.topic().endsWith(".all_types"));
        writeFixture("stream-composite-key", records, r -> r.topic().endsWith(".line_items"));
        List<ChangeEvent> events = CaptureHarness.parse(records);

        ChangeEvent insert = only(events, "public.all_types", Op.INSERT);
        ChangeEvent update = only(events, "public.all_types", Op.UPDATE);
        ChangeEvent delete = only(events, "public.all_types", Op.DELETE);
        assertThat(insert.after().get("c_numeric").asText()).isEqualTo("0.500");
        assertThat(update.after().get("c_int").asInt()).isEqualTo(2);
        assertThat(delete.after()).isNull();
        assertThat(delete.before().get("id").asLong()).isEqualTo(2);
        assertThat(delete.missing()).as("a delete under REPLICA IDENTITY DEFAULT sends only the key").contains("before.c_int");
        assertThat(List.of(insert, update, delete)).allSatisfy(e -> {
            assertThat(e.pk().toString()).isEqualTo("{\"id\":2}");
            assertThat(e.lsn()).matches("[0-9A-F]+/[0-9A-F]+");
            assertThat(e.txId()).isNotNull();
            assertThat(e.commitTs()).isBetween(started, Instant.now());
        });
        assertThat(insert.lsnValue()).isLessThan(update.lsnValue());
        assertThat(update.lsnValue()).isLessThan(delete.lsnValue());
        assertThat(events).map(ChangeEvent::commitTs).anySatisfy(ts -> assertThat(ts.getNano() % 1_000_000).isNotZero());

        List<ChangeEvent> lines = events.stream().filter(e -> e.table().equals("public.line_items") && e.op() == Op.INSERT).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines).map(ChangeEvent::txId).containsOnly(lines.get(0).txId());
        assertThat(lines).map(e -> e.pk().toString()).containsExactlyInAnyOrder(
                "{\"order_id\":10,\"line_no\":1}", "{\"order_id\":10,\"line_no\":2}");
        assertThat(lines.get(0).id()).isNotEqualTo(lines.get(1).id());
        ChangeEvent qty = only(events, "public.line_items", Op.UPDATE);
        assertThat(qty.pk().toString()).isEqualTo("{\"order_id\":10,\"line_no\":2}");
        assertThat(qty.missing()).containsExactly("before");
    }

    @Test
    @Order(4)
    void tableWithoutPrimaryKeyIsIdentifiedByItsWholeRowAndTruncateIsCaptured() throws Exception {
        h.sql("INSERT INTO audit_log VALUES ('2026-11-23T10:00:00Z', 'created')",
                "UPDATE audit_log SET message = 'edited'",
                "DELETE FROM audit_log",
                "TRUNCATE audit_log");
        List<ConsumerRecord<byte[], byte[]>> records = h.readUntil(events -> count(events, "public.audit_log", Op.TRUNCATE) >= 1);
        writeFixture("keyless-full-identity", records, r -> r.topic().endsWith(".audit_log"));
        List<ChangeEvent> events = CaptureHarness.parse(records);

        ChangeEvent update = only(events, "public.audit_log", Op.UPDATE);
        assertThat(update.complete()).isTrue();
        assertThat(update.before().get("message").asText()).isEqualTo("created");
        assertThat(update.after().get("message").asText()).isEqualTo("edited");
        assertThat(update.changed()).containsExactly("message");
        assertThat(update.pk()).isEqualTo(update.before());
        assertThat(only(events, "public.audit_log", Op.INSERT).pk().get("message").asText()).isEqualTo("created");
        assertThat(only(events, "public.audit_log", Op.DELETE).before().get("message").asText()).isEqualTo("edited");
        ChangeEvent truncate = only(events, "public.audit_log", Op.TRUNCATE);
        assertThat(truncate.pk().isEmpty()).isTrue();
        assertThat(truncate.before()).isNull();
    }

    @Test
    @Order(5)
    void replayingARecordGivesTheSameEventId() {
        List<ConsumerRecord<byte[], byte[]>> records = h.readUntil(events -> !events.isEmpty());
        assertThat(CaptureHarness.parse(records)).map(ChangeEvent::id)
                .isEqualTo(CaptureHarness.parse(records).stream().map(ChangeEvent::id).toList());
    }

    @Test
    @Order(6)
    void restartResumesWhereItStoppedWithoutLosingOrRepeatingChanges() throws Exception {
        h.stopCapture();
        h.sql("INSERT INTO docs VALUES (2, 'written while capture was down', 'x')");
        h.startCapture();
        h.sql("INSERT INTO docs VALUES (3, 'written after the restart', 'y')");
        List<ChangeEvent> events = CaptureHarness.parse(h.readUntil(
                all -> all.stream().anyMatch(e -> e.table().equals("public.docs") && e.pk().get("id").asInt() == 3)));

        assertThat(events).filteredOn(e -> e.table().equals("public.docs") && e.op() == Op.INSERT)
                .map(e -> e.pk().get("id").asInt()).containsExactlyInAnyOrder(2, 3);
        assertThat(events).filteredOn(e -> e.op() == Op.SNAPSHOT).as("no second snapshot").hasSize(2);
        Map<String, Long> perId = events.stream().collect(Collectors.groupingBy(ChangeEvent::id, Collectors.counting()));
        assertThat(perId).as("no change captured twice").allSatisfy((id, n) -> assertThat(n).isEqualTo(1L));
        assertThat(h.server().isAlive()).isTrue();
    }

    @Test
    @Order(7)
    void aJsonNullOfAJsonOrJsonbColumnIsMarkedAndSqlNullIsNot() throws Exception {
        h.sql("INSERT INTO json_nulls VALUES (1, 'null', 'null'), (2, NULL, NULL), (3, '\"null\"', '\"null\"'), "
                        + "(4, '{\"a\": null}', '{\"a\": null}')",
                "UPDATE json_nulls SET j = NULL, jb = NULL WHERE id = 1",
                "UPDATE json_nulls SET jb = 'null' WHERE id = 2",
                "DELETE FROM json_nulls WHERE id = 2");
        List<ConsumerRecord<byte[], byte[]>> records = h.readUntil(events -> count(events, "public.json_nulls", Op.DELETE) >= 1);
        writeFixture("json-nulls", records, r -> r.topic().endsWith(".json_nulls"));
        List<JsonNode> inserted = records.stream().filter(r -> r.topic().endsWith(".json_nulls") && r.value() != null)
                .map(r -> Json.tree(r.value(), "value")).filter(v -> v.path("op").asText().equals("c")).map(v -> v.get("after")).toList();
        assertThat(inserted).as("Debezium sends JSON null as the text 'null', SQL NULL as null")
                .anySatisfy(after -> assertThat(after.toString()).isEqualTo("{\"id\":1,\"j\":\"null\",\"jb\":\"null\"}"))
                .anySatisfy(after -> assertThat(after.toString()).isEqualTo("{\"id\":2,\"j\":null,\"jb\":null}"));
        List<ChangeEvent> events = CaptureHarness.parse(records).stream().filter(e -> e.table().equals("public.json_nulls")).toList();

        assertThat(events).filteredOn(e -> e.op() == Op.INSERT).extracting(e -> e.pk().get("id").asInt() + ":" + e.jsonNulls())
                .containsExactlyInAnyOrder("1:[after.j, after.jb]", "2:[]", "3:[]", "4:[]");
        ChangeEvent toSqlNull = events.stream().filter(e -> e.op() == Op.UPDATE && e.pk().get("id").asInt() == 1).findFirst().orElseThrow();
        assertThat(toSqlNull.jsonNulls()).containsExactlyInAnyOrder("before.j", "before.jb");
        assertThat(toSqlNull.changed()).as("JSON null to SQL NULL is a change").containsExactlyInAnyOrder("j", "jb");
        ChangeEvent toJsonNull = events.stream().filter(e -> e.op() == Op.UPDATE && e.pk().get("id").asInt() == 2).findFirst().orElseThrow();
        assertThat(toJsonNull.jsonNulls()).containsExactly("after.jb");
        assertThat(toJsonNull.changed()).containsExactly("jb");
        ChangeEvent delete = only(events, "public.json_nulls", Op.DELETE);
        assertThat(delete.before().has("jb")).as("a keyed delete keeps only the key: the streams-app fills the rest").isFalse();
        assertThat(delete.jsonNulls()).as("a mark names only a column the image holds").isEmpty();
        ChangeEvent string = events.stream().filter(e -> e.op() == Op.INSERT && e.pk().get("id").asInt() == 3).findFirst().orElseThrow();
        assertThat(string.after().get("jb").asText()).as("a JSON string 'null' stays a string").isEqualTo("null");
    }

    private static long count(List<ChangeEvent> events, String table, Op op) {
        return events.stream().filter(e -> e.table().equals(table) && e.op() == op).count();
    }

    private static ChangeEvent only(List<ChangeEvent> events, String table, Op op) {
        List<ChangeEvent> matching = events.stream().filter(e -> e.table().equals(table) && e.op() == op).toList();
        assertThat(matching).as("%s %s events", table, op).hasSize(1);
        return matching.get(0);
    }

    /** Writes the raw records as a fixture file when {@code dm.fixtures.write} names a folder. */
    private static void writeFixture(String name, List<ConsumerRecord<byte[], byte[]>> records,
            Predicate<ConsumerRecord<byte[], byte[]>> which) {
        String dir = System.getProperty("dm.fixtures.write");
        if (dir == null || dir.isBlank()) {
            return;
        }
        var array = Json.mapper().createArrayNode();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (!which.test(r)) {
                continue;
            }
            var node = array.addObject();
            node.put("topic", r.topic().substring(h.prefix.length() + 1));
            node.set("key", r.key() == null ? null : Json.tree(r.key(), "key"));
            node.set("value", r.value() == null ? null : Json.tree(r.value(), "value"));
            byte[] types = CaptureHarness.header(r, "dm.types");
            node.put("dm.types", types == null ? null : new String(types, StandardCharsets.UTF_8));
        }
        try {
            Files.createDirectories(Path.of(dir));
            Files.writeString(Path.of(dir, name + ".json"),
                    Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(array) + "\n");
        } catch (Exception e) {
            throw new IllegalStateException("cannot write fixture " + name, e);
        }
    }
}
