package io.datamanager.model.debezium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Op;
import io.datamanager.model.ValidationException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DebeziumEnvelopesTest {

    @Test
    void snapshotReadBecomesSnapshotWithTypedValues() {
        ChangeEvent e = Fixtures.one("snapshot-all-types", "r").parse();
        JsonNode row = e.after();
        assertThat(e.op()).isEqualTo(Op.SNAPSHOT);
        assertThat(e.table()).isEqualTo("public.all_types");
        assertThat(e.pk().toString()).isEqualTo("{\"id\":1}");
        assertThat(row.get("c_numeric").asText()).isEqualTo("12345.678");
        assertThat(row.get("c_numeric_any").asText()).isEqualTo("NaN");
        assertThat(row.get("c_date").asText()).isEqualTo("2026-11-23");
        assertThat(row.get("c_time").asText()).isEqualTo("10:15:30.123456");
        assertThat(row.get("c_timestamp").asText()).isEqualTo("2026-11-23T10:15:30.123456");
        assertThat(row.get("c_timestamp3").asText()).isEqualTo("2026-11-23T10:15:30.123");
        assertThat(row.get("c_interval").asText()).isEqualTo("P1Y2M3DT4H5M6.5S");
        assertThat(row.get("c_json").isObject()).isTrue();
        assertThat(row.get("c_jsonb").get("nested").get("x").isNumber()).isTrue();
        assertThat(row.get("c_bytea").asText()).isEqualTo("3q2+7w==");
        assertThat(row.get("c_date_array").toString()).isEqualTo("[\"2026-01-01\",\"2026-12-31\"]");
        assertThat(row.get("c_bigint").asLong()).isEqualTo(9007199254740993L);
        assertThat(row.get("c_null").isNull()).isTrue();
    }

    @Test
    void jsonbNumbersKeepTheirWrittenFormThroughTheEnvelopeAndDmChanges() {
        ChangeEvent e = Fixtures.load("stream-all-types").stream().map(Fixtures.Raw::parse)
                .filter(c -> c.after() != null && c.after().hasNonNull("c_jsonb")).findFirst().orElseThrow();
        assertThat(e.after().get("c_jsonb").toString()).as("jsonb keeps 1.10 as written").isEqualTo("{\"nested\":{\"x\":1.10}}");
        ChangeEvent again = ChangeEvent.fromJson(e.toJson());
        assertThat(again.after().get("c_jsonb").toString()).as("and so does dm.changes").isEqualTo("{\"nested\":{\"x\":1.10}}");
        assertThat(again.after().get("c_double").toString()).isEqualTo(e.after().get("c_double").toString());
    }

    @Test
    void withoutTheTypesHeaderValuesStayAsDebeziumWroteThem() {
        Fixtures.Raw raw = Fixtures.one("snapshot-all-types", "r");
        ChangeEvent e = DebeziumEnvelopes.parse(raw.key(), raw.value(), ColumnTypes.UNKNOWN).orElseThrow();
        assertThat(e.after().get("c_date").isInt()).isTrue();
        assertThat(e.after().get("c_json").isTextual()).isTrue();
    }

    @Test
    void eachDebeziumOpMapsToTheContractOp() {
        assertThat(Fixtures.one("stream-all-types", "c").parse().op()).isEqualTo(Op.INSERT);
        assertThat(Fixtures.one("stream-all-types", "u").parse().op()).isEqualTo(Op.UPDATE);
        assertThat(Fixtures.one("stream-all-types", "d").parse().op()).isEqualTo(Op.DELETE);
        assertThat(Fixtures.one("snapshot-all-types", "r").parse().op()).isEqualTo(Op.SNAPSHOT);
        assertThat(Fixtures.one("keyless-full-identity", "t").parse().op()).isEqualTo(Op.TRUNCATE);
    }

    @Test
    void lsnTxIdAndCommitTimeComeFromTheSourceBlockWithMicroseconds() {
        Fixtures.Raw raw = Fixtures.one("stream-all-types", "c");
        JsonNode source = raw.envelope().get("source");
        ChangeEvent e = raw.parse();
        long lsn = source.get("lsn").asLong();
        assertThat(e.lsn()).isEqualTo(String.format("%X/%X", lsn >>> 32, lsn & 0xFFFFFFFFL));
        assertThat(e.txId()).isEqualTo(source.get("txId").asLong());
        long us = source.get("ts_us").asLong();
        assertThat(e.commitTs()).isEqualTo(Instant.ofEpochSecond(us / 1_000_000, us % 1_000_000 * 1000));
        assertThat(e.captureTs()).isAfterOrEqualTo(e.commitTs());
    }

    @Test
    void eventIdIsDeterministicAndDiffersPerChange() {
        Fixtures.Raw insert = Fixtures.one("stream-all-types", "c");
        assertThat(insert.parse().id()).isEqualTo(insert.parse().id()).hasSize(32);
        assertThat(insert.parse().id()).isNotEqualTo(Fixtures.one("stream-all-types", "u").parse().id());
    }

    @Test
    void updateUnderDefaultReplicaIdentityHasNoBeforeAndSaysSo() {
        ChangeEvent e = Fixtures.one("stream-all-types", "u").parse();
        assertThat(e.before()).isNull();
        assertThat(e.complete()).isFalse();
        assertThat(e.missing()).containsExactly("before");
        assertThat(e.changed()).isEmpty();
    }

    @Test
    void unchangedToastPlaceholderIsNeverPresentedAsAValue() {
        Fixtures.Raw raw = Fixtures.one("update-toast-unchanged", "u");
        assertThat(new String(raw.value(), StandardCharsets.UTF_8)).contains("__debezium_unavailable_value");
        ChangeEvent e = raw.parse();
        assertThat(new String(e.toJson(), StandardCharsets.UTF_8)).doesNotContain("__debezium_unavailable_value");
        assertThat(e.after().has("body")).isFalse();
        assertThat(e.after().get("title").asText()).isEqualTo("second");
        assertThat(e.missing()).containsExactlyInAnyOrder("before", "after.body");
    }

    @Test
    void unchangedToastValueIsTakenFromAFullBeforeImage() {
        Fixtures.Raw raw = Fixtures.one("update-toast-unchanged", "u");
        ObjectNode envelope = (ObjectNode) raw.envelope();
        ObjectNode before = envelope.putObject("before");
        before.put("id", 1).put("title", "first").put("body", "the old body");
        ChangeEvent e = DebeziumEnvelopes.parse(raw.key(), Json.toBytes(envelope), raw.types()).orElseThrow();
        assertThat(e.after().get("body").asText()).isEqualTo("the old body");
        assertThat(e.complete()).isTrue();
        assertThat(e.changed()).containsExactly("title");
    }

    @Test
    void deleteUnderDefaultReplicaIdentityKeepsTheKeyAndNamesTheUnsentColumns() {
        ChangeEvent e = Fixtures.one("stream-all-types", "d").parse();
        assertThat(e.before().toString()).isEqualTo("{\"id\":2}");
        assertThat(e.after()).isNull();
        assertThat(e.missing()).contains("before.c_int", "before.c_numeric").doesNotContain("before.id");
    }

    @Test
    void deleteNeverPresentsDebeziumsNotNullPlaceholdersAsData() {
        // what Debezium writes for a delete under REPLICA IDENTITY DEFAULT: the key, then null for a nullable
        // column and the type's default for a NOT NULL one (issue 12: v 0, updated_at the epoch)
        Fixtures.Raw raw = Fixtures.one("stream-all-types", "d");
        ObjectNode envelope = (ObjectNode) raw.envelope();
        envelope.putObject("before").put("id", 2).put("v", 0).put("label", "").putNull("note")
                .put("updated_at", "1970-01-01T00:00:00Z");
        ChangeEvent e = DebeziumEnvelopes.parse(raw.key(), Json.toBytes(envelope), ColumnTypes.UNKNOWN).orElseThrow();
        assertThat(e.before().toString()).isEqualTo("{\"id\":2}");
        assertThat(e.complete()).isFalse();
        assertThat(e.missing()).containsExactly("before.v", "before.label", "before.note", "before.updated_at");
        assertThat(new String(e.toJson(), StandardCharsets.UTF_8)).doesNotContain("1970-01-01");
    }

    @Test
    void keylessDeleteKeepsItsWholeBeforeImageWhichIsItsIdentity() {
        ChangeEvent delete = Fixtures.one("keyless-full-identity", "d").parse();
        assertThat(delete.before().get("message").asText()).isEqualTo("edited");
        assertThat(delete.complete()).isTrue();
    }

    @Test
    void compositePrimaryKeyKeepsEveryKeyColumn() {
        ChangeEvent e = Fixtures.one("stream-composite-key", "u").parse();
        assertThat(e.pk().toString()).isEqualTo("{\"order_id\":10,\"line_no\":2}");
        assertThat(e.key()).isEqualTo("public.line_items{\"line_no\":2,\"order_id\":10}");
    }

    @Test
    void keylessTableIsIdentifiedByItsWholeRow() {
        ChangeEvent update = Fixtures.one("keyless-full-identity", "u").parse();
        assertThat(update.pk()).isEqualTo(update.before());
        assertThat(update.changed()).containsExactly("message");
        assertThat(update.complete()).isTrue();
        ChangeEvent truncate = Fixtures.one("keyless-full-identity", "t").parse();
        assertThat(truncate.pk().isEmpty()).isTrue();
        assertThat(truncate.after()).isNull();
    }

    /** Real capture of json_nulls(id, j json, jb jsonb): JSON null arrives as the text "null", SQL NULL as null. */
    private static ChangeEvent jsonNulls(String op, int id) {
        return Fixtures.load("json-nulls").stream().map(Fixtures.Raw::parse)
                .filter(e -> e.op() == Op.fromDebezium(op) && e.pk().get("id").asInt() == id).findFirst().orElseThrow();
    }

    @Test
    void aJsonNullOfJsonAndJsonbIsMarkedAndSqlNullIsNot() {
        ChangeEvent jsonNull = jsonNulls("c", 1);
        assertThat(jsonNull.after().get("jb").isNull()).isTrue();
        assertThat(jsonNull.jsonNulls()).containsExactly("after.j", "after.jb");
        ChangeEvent sqlNull = jsonNulls("c", 2);
        assertThat(sqlNull.after().get("jb").isNull()).isTrue();
        assertThat(sqlNull.jsonNulls()).isEmpty();
        ChangeEvent string = jsonNulls("c", 3);
        assertThat(string.after().get("jb").isTextual()).as("the JSON string \"null\" is a string").isTrue();
        assertThat(string.after().get("jb").asText()).isEqualTo("null");
        assertThat(string.jsonNulls()).isEmpty();
        assertThat(jsonNulls("c", 4).after().get("jb").toString()).isEqualTo("{\"a\":null}");
        assertThat(jsonNulls("c", 4).jsonNulls()).as("a null inside a value is part of the value").isEmpty();
    }

    @Test
    void anUpdateBetweenJsonNullAndSqlNullMarksItsImagesAndCountsAsAChange() {
        ChangeEvent toSqlNull = jsonNulls("u", 1);
        assertThat(toSqlNull.jsonNulls()).containsExactly("before.j", "before.jb");
        assertThat(toSqlNull.changed()).containsExactly("j", "jb");
        ChangeEvent toJsonNull = jsonNulls("u", 2);
        assertThat(toJsonNull.jsonNulls()).containsExactly("after.jb");
        assertThat(toJsonNull.changed()).containsExactly("jb");
    }

    @Test
    void aKeyedDeleteMarksOnlyColumnsItsBeforeImageKeeps() {
        Fixtures.Raw raw = Fixtures.one("json-nulls", "d");
        assertThat(raw.envelope().get("before").get("jb").asText()).as("sent under REPLICA IDENTITY FULL").isEqualTo("null");
        ChangeEvent delete = raw.parse();
        assertThat(delete.before().has("jb")).isFalse();
        assertThat(delete.missing()).contains("before.jb");
        assertThat(delete.jsonNulls()).isEmpty();
    }

    @Test
    void jsonNullsRoundTripThroughDmChangesAndAreLeftOutWhenNone() {
        ChangeEvent marked = jsonNulls("c", 1);
        assertThat(Json.tree(marked.toJson(), "event").get("jsonNulls").toString()).isEqualTo("[\"after.j\",\"after.jb\"]");
        assertThat(ChangeEvent.fromJson(marked.toJson())).isEqualTo(marked);
        assertThat(Json.tree(jsonNulls("c", 2).toJson(), "event").has("jsonNulls")).isFalse();
    }

    @Test
    void withoutTheTypesHeaderNothingIsMarked() {
        Fixtures.Raw raw = Fixtures.load("json-nulls").get(0);
        ChangeEvent e = DebeziumEnvelopes.parse(raw.key(), raw.value(), ColumnTypes.UNKNOWN).orElseThrow();
        assertThat(e.after().get("jb").isTextual()).as("the text as Debezium wrote it").isTrue();
        assertThat(e.jsonNulls()).isEmpty();
    }

    @Test
    void tombstoneYieldsNothing() {
        assertThat(DebeziumEnvelopes.parse(null, null, ColumnTypes.UNKNOWN)).isEmpty();
        assertThat(DebeziumEnvelopes.parse(null, "null".getBytes(StandardCharsets.UTF_8), ColumnTypes.UNKNOWN)).isEmpty();
    }

    @Test
    void recordThatIsNotAnEnvelopeIsRejectedNamingTheField() {
        assertThatThrownBy(() -> DebeziumEnvelopes.parse(null, "{\"op\":\"c\"}".getBytes(StandardCharsets.UTF_8), ColumnTypes.UNKNOWN))
                .isInstanceOf(ValidationException.class).extracting("field").isEqualTo("source");
        assertThatThrownBy(() -> DebeziumEnvelopes.parse(null, "not json".getBytes(StandardCharsets.UTF_8), ColumnTypes.UNKNOWN))
                .isInstanceOf(ValidationException.class).extracting("field").isEqualTo("value");
        Fixtures.Raw raw = Fixtures.one("stream-all-types", "c");
        ObjectNode envelope = (ObjectNode) raw.envelope();
        envelope.put("op", "x");
        assertThatThrownBy(() -> DebeziumEnvelopes.parse(raw.key(), Json.toBytes(envelope), raw.types()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("op");
    }

    @Test
    void changeEventJsonRoundTripsAndFollowsTheContract() {
        ChangeEvent e = Fixtures.one("update-toast-unchanged", "u").parse();
        JsonNode json = Json.tree(e.toJson(), "event");
        assertThat(json.get("v").asInt()).isEqualTo(1);
        assertThat(json.get("op").asText()).isEqualTo("update");
        assertThat(json.get("complete").asBoolean()).isFalse();
        assertThat(json.get("commitTs").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
        assertThat(ChangeEvent.fromJson(e.toJson())).isEqualTo(e);
    }
}
