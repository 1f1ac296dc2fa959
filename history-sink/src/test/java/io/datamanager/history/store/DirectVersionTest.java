package io.datamanager.history.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.ExactJson;
import io.datamanager.model.Json;
import io.datamanager.model.Op;
import io.datamanager.model.RowKey;
import io.datamanager.model.Lsn;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ingest's direct read of a record ({@link DirectVersion}) against the usual one ({@link ChangeEvent#fromJson}, then
 * {@link CopyRows#row}): for every record it takes, the same line, field by field (the images as equal trees, numbers
 * with their written digits, since jsonb keeps the value and not the spacing or key order); every record it cannot read
 * exactly as the usual way does, it declines. {@code DirectVersionIT} stores both ways and compares the rows.
 */
class DirectVersionTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final String EVENT = """
            {"v":1,"id":"e1","table":"public.orders","op":"update","pk":{"id":7,"region":"eu"},
             "before":{"id":7,"region":"eu","total":"2.50","note":"a\\tb \\"q\\" \\\\ é € 🚀","doc":{"a":[1,2.0,null,true]}},
             "after":{"id":7,"region":"eu","total":"3.00","note":"x\\ny","doc":null},
             "changed":["total","note","doc"],"complete":true,"lsn":"0/1A2B3C","txId":812,
             "commitTs":"2026-12-02T10:15:30.123456Z","captureTs":"2026-12-02T10:15:30.2Z","jsonNulls":["after.doc"],
             "context":{"who":"ada"}}""";

    @Test
    void aChangeEventIsTheSameLineBothWays() {
        assertSameLine(EVENT.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyOpAndOptionalFieldIsTheSameLineBothWays() {
        for (String json : List.of(
                "{\"v\":1,\"id\":\"i\",\"table\":\"s.t\",\"op\":\"insert\",\"pk\":{\"k\":\"1\"},\"after\":{\"k\":\"1\"},\"complete\":true,"
                        + "\"lsn\":\"0/10\",\"commitTs\":\"2026-01-01T00:00:00Z\"}",
                "{\"v\":1,\"id\":\"s\",\"table\":\"s.t\",\"op\":\"snapshot\",\"pk\":{\"k\":1},\"before\":null,\"after\":{\"k\":1},"
                        + "\"changed\":null,\"complete\":true,\"missing\":null,\"lsn\":\"0/10\",\"txId\":null,"
                        + "\"commitTs\":\"2026-01-01T00:00:00Z\",\"captureTs\":null,\"jsonNulls\":null,\"context\":null}",
                "{\"v\":1,\"id\":\"d\",\"table\":\"s.t\",\"op\":\"delete\",\"pk\":{\"k\":1},\"before\":{\"k\":1,\"t\":\"x\"},"
                        + "\"complete\":false,\"missing\":[\"before.t\"],\"lsn\":\"FFFFFFFF/FFFFFFFF\",\"txId\":9223372036854775807,"
                        + "\"commitTs\":\"2026-01-01T00:00:00+02:00\"}",
                "{\"v\":1,\"id\":\"t\",\"table\":\"s.t\",\"op\":\"truncate\",\"pk\":{},\"complete\":true,\"lsn\":\"0/0\","
                        + "\"commitTs\":\"1999-12-31T23:59:59.999999999Z\"}",
                // another order, spacing and line breaks than the streams-app writes: jsonb keeps the value
                "{ \"commitTs\" : \"2026-01-01T00:00:00Z\",\n\t\"after\" : { \"b\" : 1e5, \"a\" : -0.0,\r\n \"c\" : 12345678901234567890123 },"
                        + " \"pk\" : { \"a\" : -0.0 }, \"lsn\":\"0/1\", \"op\":\"update\", \"table\":\"a.b.c\", \"id\":\" x \", \"v\" : 1,"
                        + " \"before\" : {\"b\":1E+5,\"a\":0,\"c\":[]}, \"complete\" : true, \"changed\" : [\"a\\\\b\",\"q\\\"\"] }")) {
            assertSameLine(json.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Random change events, written by the mapper as the streams-app writes them, and every other one again pretty-printed
     * with its keys in another order: the direct read takes every one without a {@code \\u} escape, and makes its line.
     */
    @Test
    void randomEventsAreTheSameLineBothWays() throws Exception {
        Random random = new Random(20261202);
        int direct = 0;
        for (int i = 0; i < 3_000; i++) {
            ChangeEvent event = randomEvent(random, i);
            byte[] json = event.toJson();
            if (i % 2 == 1) {
                json = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(shuffled(ExactJson.tree(json, "event"), random));
            }
            boolean escaped = new String(json, StandardCharsets.UTF_8).contains("\\u");
            if (!escaped) {
                assertThat(DirectVersion.read(json)).as("read directly: %s", new String(json, StandardCharsets.UTF_8)).isNotNull();
                direct++;
            }
            assertSameLine(json);
        }
        assertThat(direct).as("records read directly").isGreaterThan(2_000);
    }

    /** What the usual way refuses, the direct read declines, so the usual way names the fault (dead letter). */
    @ParameterizedTest
    @ValueSource(strings = {
        "\"v\":1 ↦ \"v\":2", "\"v\":1 ↦ \"v\":\"1\"", "\"v\":1 ↦ \"v\":1.0", "\"v\":1, ↦ ",
        "\"id\":\"e1\" ↦ \"id\":\" \"", "\"id\":\"e1\" ↦ \"id\":7", "\"id\":\"e1\", ↦ ",
        "\"table\":\"public.orders\" ↦ \"table\":\"orders\"", "\"table\":\"public.orders\" ↦ \"table\":null",
        "\"op\":\"update\" ↦ \"op\":\"upsert\"", "\"op\":\"update\" ↦ \"op\":2", "\"op\":\"update\" ↦ \"op\":\"delete\"",
        "\"op\":\"update\" ↦ \"op\":\"truncate\"",
        "\"pk\":{\"id\":7,\"region\":\"eu\"} ↦ \"pk\":null", "\"pk\":{\"id\":7,\"region\":\"eu\"} ↦ \"pk\":[7]",
        "\"after\":{ ↦ \"after\":null,\"x\":{", "\"before\":{ ↦ \"before\":[{", "\"doc\":{\"a\":[1,2.0,null,true]}} ↦ \"doc\":{\"a\":[1,2.0,null,true]}]}",
        "\"changed\":[\"total\",\"note\",\"doc\"] ↦ \"changed\":[\"total\",1]", "\"changed\":[\"total\",\"note\",\"doc\"] ↦ \"changed\":\"total\"",
        "\"changed\":[\"total\",\"note\",\"doc\"] ↦ \"changed\":[\"total\",null]",
        "\"complete\":true ↦ \"complete\":\"true\"", "\"complete\":true ↦ \"complete\":null", "\"complete\":true ↦ \"complete\":false",
        "\"complete\":true ↦ \"complete\":true,\"missing\":[\"after.total\"]",
        "\"lsn\":\"0/1A2B3C\" ↦ \"lsn\":\"zz\"", "\"lsn\":\"0/1A2B3C\" ↦ \"lsn\":null", "\"lsn\":\"0/1A2B3C\", ↦ ",
        "\"txId\":812 ↦ \"txId\":8.5", "\"txId\":812 ↦ \"txId\":\"812\"", "\"txId\":812 ↦ \"txId\":92233720368547758070",
        "\"commitTs\":\"2026-12-02T10:15:30.123456Z\" ↦ \"commitTs\":\"yesterday\"",
        "\"commitTs\":\"2026-12-02T10:15:30.123456Z\" ↦ \"commitTs\":1764670530",
        "\"commitTs\":\"2026-12-02T10:15:30.123456Z\" ↦ \"commitTs\":\"2026-12-02T10:15:30\"",
        "\"commitTs\":\"2026-12-02T10:15:30.123456Z\", ↦ ",
        "\"captureTs\":\"2026-12-02T10:15:30.2Z\" ↦ \"captureTs\":7",
        "\"jsonNulls\":[\"after.doc\"] ↦ \"jsonNulls\":[\"doc\"]", "\"jsonNulls\":[\"after.doc\"] ↦ \"jsonNulls\":{}",
        "\"context\":{\"who\":\"ada\"} ↦ \"context\":[\"ada\"]", "\"context\":{\"who\":\"ada\"} ↦ \"context\":\"ada\"",
        "\"context\":{\"who\":\"ada\"}} ↦ \"context\":{\"who\":\"ada\"}} {}", "\"context\":{\"who\":\"ada\"}} ↦ \"context\":{\"who\":\"ada\"}",
    })
    void whatTheUsualWayRefusesTheDirectReadDeclines(String edit) {
        byte[] json = edited(edit);
        assertThatThrownBy(() -> CopyRows.row(ChangeEvent.fromJson(json))).as("the usual way refuses %s", edit).isInstanceOf(RuntimeException.class);
        assertThat(DirectVersion.read(json)).as("declined: %s", edit).isNull();
    }

    /** What the usual way reads in a way of its own (ignores, keeps the last, decodes) the direct read leaves to it. */
    @ParameterizedTest
    @ValueSource(strings = {
        "\"v\":1, ↦ \"v\":1,\"extra\":{\"x\":1},", "\"table\":\"public.orders\" ↦ \"table\":\"public.orders\",\"table\":\"public.items\"",
        "\"note\":\"x\\ny\" ↦ \"note\":\"x\\u0000y\"", "\"note\":\"x\\ny\" ↦ \"note\":\"\\ud83d\\ude80\"",
        "\"note\":\"x\\ny\" ↦ \"note\":\"\\u0041\"", "\"who\":\"ada\" ↦ \"who\":\"\\u00e9\"",
    })
    void whatTheUsualWayReadsItsOwnWayTheDirectReadLeavesToIt(String edit) {
        byte[] json = edited(edit);
        assertThat(DirectVersion.read(json)).as("declined: %s", edit).isNull();
        assertThat(CopyRows.row(ChangeEvent.fromJson(json))).as("the usual way reads %s", edit).isNotEmpty();
    }

    /**
     * Bytes that are not UTF-8 in an image: declined, so the usual way decides. It refuses a lone or wrong byte and an encoded
     * surrogate; an overlong form and a code point past U+10FFFF its parser decodes, and it stores what it decoded.
     */
    @ParameterizedTest
    @CsvSource({"c3, true", "ff, true", "80, true", "eda080, true", "c0af, false", "f4908080, false"})
    void bytesThatAreNotUtf8InAnImageAreDeclined(String hex, boolean refusedTheUsualWay) {
        byte[] bad = java.util.HexFormat.of().parseHex(hex);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] halves = EVENT.split("x\\\\ny", 2);
        out.writeBytes(halves[0].getBytes(StandardCharsets.UTF_8));
        out.writeBytes(bad);
        out.writeBytes(halves[1].getBytes(StandardCharsets.UTF_8));
        byte[] json = out.toByteArray();
        assertThat(DirectVersion.read(json)).as("declined: %s", hex).isNull();
        if (refusedTheUsualWay) {
            assertThatThrownBy(() -> ChangeEvent.fromJson(json)).as("the usual way refuses %s", hex).isInstanceOf(RuntimeException.class);
        }
    }

    @Test
    void anEscapedBackslashBeforeAUIsNoEscape() {
        byte[] text = "é€🚀 \\\\u".getBytes(StandardCharsets.UTF_8);
        assertThat(DirectVersion.plainUtf8(text, 0, text.length)).isTrue();
        byte[] escape = "é€🚀 \\u0041".getBytes(StandardCharsets.UTF_8);
        assertThat(DirectVersion.plainUtf8(escape, 0, escape.length)).isFalse();
    }

    @Test
    void aRecordOverTheDirectReadsLimitIsLeftToTheUsualWay() {
        String big = EVENT.replace("x\\ny", "y".repeat(1 << 20));
        assertThat(DirectVersion.read(big.getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(CopyRows.row(ChangeEvent.fromJson(big.getBytes(StandardCharsets.UTF_8)))).isNotEmpty();
    }

    private static byte[] edited(String edit) {
        String[] parts = edit.split(" ↦ ", -1);
        assertThat(EVENT).as("the event holds %s", parts[0]).contains(parts[0]);
        return EVENT.replace(parts[0], parts[1]).getBytes(StandardCharsets.UTF_8);
    }

    /** The direct line equals the usual one: every field alike, the images as equal trees (digits as written). */
    private static void assertSameLine(byte[] json) {
        byte[] usual = CopyRows.row(ChangeEvent.fromJson(json));
        VersionRow direct = DirectVersion.read(json);
        if (direct == null) {
            return;
        }
        ChangeEvent event = ChangeEvent.fromJson(json);
        assertThat(direct.table()).isEqualTo(event.table());
        assertThat(direct.commitTs()).isEqualTo(event.commitTs());
        String[] a = fields(usual);
        String[] b = fields(direct.line());
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.length; i++) {
            if (i == 5 || i == 6) {
                assertThat(image(b[i])).as("image %d of %s", i, new String(json, StandardCharsets.UTF_8)).isEqualTo(image(a[i]));
            } else {
                assertThat(b[i]).as("field %d of %s", i, new String(json, StandardCharsets.UTF_8)).isEqualTo(a[i]);
            }
        }
    }

    private static String[] fields(byte[] line) {
        String text = new String(line, StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n");
        return text.substring(0, text.length() - 1).split("\t", -1);
    }

    /** A field of COPY's text format as the JSON tree it holds (null for \N). */
    private static JsonNode image(String field) {
        if (field.equals("\\N")) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\') {
                char next = field.charAt(++i);
                sb.append(switch (next) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    default -> next;
                });
            } else {
                sb.append(c);
            }
        }
        return ExactJson.tree(sb.toString(), "image");
    }

    /** A change event of any op, with images of every JSON kind, unicode and COPY's special characters in names and values. */
    static ChangeEvent randomEvent(Random r, int i) {
        String table = "s" + r.nextInt(3) + ".t_" + (char) ('a' + r.nextInt(26)) + (r.nextBoolean() ? "é\"€" : "");
        ObjectNode pk = NODES.objectNode();
        pk.set("id", value(r, 0));
        if (r.nextBoolean()) {
            pk.put("k\"é", text(r, 3));
        }
        Op op = Op.values()[r.nextInt(Op.values().length)];
        ObjectNode before = op == Op.INSERT || op == Op.SNAPSHOT || op == Op.TRUNCATE || r.nextInt(5) == 0 ? null : row(r, pk);
        ObjectNode after = op == Op.DELETE || op == Op.TRUNCATE ? null : row(r, pk);
        List<String> changed = before != null && after != null ? ChangeEvent.changedColumns(before, after, List.of()) : List.of();
        List<String> missing = r.nextInt(4) == 0 && after != null ? List.of("after." + after.fieldNames().next()) : List.of();
        List<String> jsonNulls = r.nextInt(4) == 0 && after != null ? List.of("after.c\\\"" + r.nextInt(3)) : List.of();
        Lsn lsn = new Lsn(r.nextLong() >>> 1);
        ObjectNode key = op == Op.TRUNCATE ? NODES.objectNode() : pk;
        Instant commit = Instant.ofEpochSecond(1_700_000_000L + r.nextInt(100_000_000), r.nextInt(1_000_000) * 1000L);
        ObjectNode context = r.nextInt(3) == 0 ? row(r, pk) : null;
        return new ChangeEvent(1, RowKey.eventId(table, key, lsn), table, op, key, before, after, changed, missing.isEmpty(), missing,
                lsn.toString(), r.nextBoolean() ? null : r.nextLong(), commit, r.nextBoolean() ? null : commit.plusMillis(r.nextInt(999)),
                jsonNulls, context);
    }

    private static ObjectNode row(Random r, ObjectNode pk) {
        ObjectNode row = NODES.objectNode();
        row.setAll(pk);
        int columns = 1 + r.nextInt(6);
        for (int c = 0; c < columns; c++) {
            row.set("c\\\"" + c + (r.nextInt(4) == 0 ? text(r, 2) : ""), value(r, 0));
        }
        return row;
    }

    private static JsonNode value(Random r, int depth) {
        return switch (r.nextInt(depth > 2 ? 6 : 8)) {
            case 0 -> NODES.numberNode(r.nextLong());
            case 1 -> NODES.numberNode(new BigDecimal(BigInteger.valueOf(r.nextLong()), r.nextInt(12) - 3));
            case 2 -> NODES.textNode(new BigDecimal(r.nextInt(100_000)).movePointLeft(2).toPlainString() + "0");
            case 3 -> NODES.booleanNode(r.nextBoolean());
            case 4 -> NODES.nullNode();
            case 5 -> NODES.textNode(text(r, r.nextInt(40)));
            case 6 -> {
                ArrayNode array = NODES.arrayNode();
                for (int k = r.nextInt(4); k > 0; k--) {
                    array.add(value(r, depth + 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = NODES.objectNode();
                for (int k = r.nextInt(4); k > 0; k--) {
                    object.set(text(r, 1 + r.nextInt(5)), value(r, depth + 1));
                }
                yield object;
            }
        };
    }

    private static final String[] PALETTE = {"a", "Z", "0", " ", "\\", "\"", "/", "\n", "\t", "\r", "é", "€", "🚀", "'", "{", "]", ",", ":",
        "\u0001", "\u007f", "\u2028", "ß", "日本"};

    private static String text(Random r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < n; k++) {
            sb.append(r.nextInt(5) == 0 ? PALETTE[r.nextInt(PALETTE.length)] : String.valueOf((char) ('a' + r.nextInt(26))));
        }
        return sb.toString();
    }

    /** The same value with every object's keys in another order. */
    private static JsonNode shuffled(JsonNode node, Random r) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.shuffle(names, r);
            ObjectNode out = NODES.objectNode();
            for (String name : names) {
                out.set(name, shuffled(node.get(name), r));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = NODES.arrayNode();
            node.forEach(v -> out.add(shuffled(v, r)));
            return out;
        }
        return node;
    }
}
