package io.datamanager.model.debezium;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.ExactJson;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.Op;
import io.datamanager.model.RowKey;
import io.datamanager.model.ValidationException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one place where a Debezium PostgreSQL envelope (JSON, schemas disabled) becomes a {@link ChangeEvent}.
 *
 * <ul>
 *   <li>{@code pk} comes from the record key. A table without a primary key has no key: its rows are
 *       identified by their whole content (the before image for update and delete, the after image
 *       otherwise), which needs {@code REPLICA IDENTITY FULL} for updates and deletes to be captured at all;
 *       configure {@code message.key.columns} to name a unique column set instead.</li>
 *   <li>Values that Debezium could not read (the unchanged-TOAST placeholder) are never presented: the
 *       column is left out of the image and named in {@code missing} as {@code after.<column>}, unless the
 *       before image holds the value (an unchanged TOAST value equals its previous value).</li>
 *   <li>Under {@code REPLICA IDENTITY DEFAULT} an update has no before image ({@code missing: ["before"]}).</li>
 *   <li>A delete of a table with a key keeps only the key columns in its before image and names every other
 *       column in {@code missing} as {@code before.<column>}. PostgreSQL sends only the replica identity (the
 *       key, under {@code DEFAULT}); Debezium fills the other columns with null, or for a NOT NULL column with
 *       its default ({@code ""}, {@code 0}, the epoch, or the column's own {@code DEFAULT}), which cannot be
 *       told from data. The envelope does not say which identity the table has, so a delete under
 *       {@code REPLICA IDENTITY FULL} is read the same way; the streams-app fills the columns from the row's
 *       last state, which holds the same values. A table without a key has no such delete: its before image
 *       is its identity and is kept whole.</li>
 *   <li>A json/jsonb column holding the JSON value {@code null} ({@code 'null'::jsonb}) arrives as the text
 *       {@code "null"}, SQL NULL as null: both become JSON null in the image, and the first is named in
 *       {@code jsonNulls} ({@code after.<column>}, {@code before.<column>}), only while the image holds the column.</li>
 *   <li>{@link #read} also gives the change's {@link StreamPosition}, from {@code source.sequence}.</li>
 * </ul>
 */
public final class DebeziumEnvelopes {
    private DebeziumEnvelopes() {}

    /**
     * Parses one record of a {@code dm.cdc.*} topic.
     *
     * @param key the record key (Debezium key JSON), null for keyless tables and truncates
     * @param value the envelope; null (a tombstone) yields empty
     * @param types the column types from the {@value ColumnTypes#HEADER} header
     * @throws ValidationException naming the field when the record is not a Debezium Postgres envelope
     */
    public static Optional<ChangeEvent> parse(byte[] key, byte[] value, ColumnTypes types) {
        return read(key, value, types).map(CapturedChange::event);
    }

    /**
     * Parses one record of a {@code dm.cdc.*} topic, with its position in capture's output.
     *
     * @see #parse(byte[], byte[], ColumnTypes)
     */
    public static Optional<CapturedChange> read(byte[] key, byte[] value, ColumnTypes types) {
        if (value == null || value.length == 0) {
            return Optional.empty();
        }
        JsonNode envelope = ExactJson.tree(value, "value");
        if (envelope.isNull()) {
            return Optional.empty();
        }
        if (!envelope.isObject()) {
            throw new ValidationException("value", "must be a Debezium envelope object");
        }
        JsonNode source = required(envelope, "source");
        Op op = Op.fromDebezium(required(envelope, "op").asText());
        String table = required(source, "schema").asText() + "." + required(source, "table").asText();
        Lsn lsn = new Lsn(required(source, "lsn").asLong());
        Long txId = source.hasNonNull("txId") ? source.get("txId").asLong() : null;
        Instant commitTs = micros(source, "ts_us", "ts_ms", "source.ts_ms");
        Instant captureTs = micros(envelope, "ts_us", "ts_ms", "ts_ms");

        List<String> missing = new ArrayList<>();
        List<String> jsonNulls = new ArrayList<>();
        ObjectNode before = image(envelope.get("before"), "before", types, missing, jsonNulls);
        ObjectNode after = image(envelope.get("after"), "after", types, missing, jsonNulls);
        if (op == Op.UPDATE && before == null) {
            missing.add("before");
        }
        if (op == Op.UPDATE && before != null) {
            fillUnchangedToastFromBefore(before, after, missing, jsonNulls);
        }

        JsonNode keyNode = key == null || key.length == 0 ? null : ExactJson.tree(key, "key");
        ObjectNode pk = primaryKey(op, keyNode, before, after, types);
        if (op == Op.DELETE && before != null && keyNode != null && keyNode.isObject()) {
            keepOnlyTheKey(before, pk, missing);
            jsonNulls.removeIf(path -> path.startsWith("before.") && !before.has(path.substring("before.".length())));
        }
        List<String> changed = op == Op.UPDATE && before != null
                ? ChangeEvent.changedColumns(before, after, missing, jsonNulls) : List.of();

        ChangeEvent event = new ChangeEvent(ChangeEvent.VERSION, RowKey.eventId(table, pk, lsn), table, op, pk,
                before, after, changed, missing.isEmpty(), missing, lsn.toString(), txId, commitTs, captureTs, jsonNulls, null);
        return Optional.of(new CapturedChange(event, StreamPosition.of(source, lsn, op == Op.SNAPSHOT)));
    }

    /** Convenience for byte-level callers that have the raw header value. */
    public static Optional<ChangeEvent> parse(byte[] key, byte[] value, byte[] typesHeader) {
        return parse(key, value, ColumnTypes.fromHeader(typesHeader));
    }

    private static ObjectNode image(JsonNode node, String name, ColumnTypes types, List<String> missing, List<String> jsonNulls) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new ValidationException(name, "must be an object or null");
        }
        ObjectNode out = Json.mapper().createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> column = it.next();
            if (DebeziumValues.isPlaceholder(column.getValue())) {
                missing.add(name + "." + column.getKey());
            } else {
                JsonNode value = DebeziumValues.convert(column.getValue(), types.of(column.getKey()), types.postgresType(column.getKey()));
                if (DebeziumValues.isJsonNull(column.getValue(), value, types.of(column.getKey()))) {
                    jsonNulls.add(name + "." + column.getKey());
                }
                out.set(column.getKey(), value);
            }
        }
        return out;
    }

    private static void fillUnchangedToastFromBefore(ObjectNode before, ObjectNode after, List<String> missing,
            List<String> jsonNulls) {
        for (Iterator<String> it = missing.iterator(); it.hasNext(); ) {
            String path = it.next();
            if (path.startsWith("after.")) {
                String column = path.substring("after.".length());
                if (before.has(column)) {
                    after.set(column, before.get(column));
                    if (jsonNulls.contains("before." + column)) {
                        jsonNulls.add(path);
                    }
                    it.remove();
                }
            }
        }
    }

    private static ObjectNode primaryKey(Op op, JsonNode key, ObjectNode before, ObjectNode after, ColumnTypes types) {
        ObjectNode pk = Json.mapper().createObjectNode();
        if (key != null && key.isObject()) {
            key.fields().forEachRemaining(e -> pk.set(e.getKey(), DebeziumValues.convert(e.getValue(), types.of(e.getKey()), types.postgresType(e.getKey()))));
            return pk;
        }
        if (op == Op.TRUNCATE) {
            return pk;
        }
        ObjectNode identity = before != null ? before : after;
        if (identity == null) {
            throw new ValidationException("key", "a keyless " + op.wireName() + " needs a row image to identify the row");
        }
        return identity.deepCopy();
    }

    /** A keyed delete's before image: the key is what PostgreSQL sent, the rest is Debezium's filling. */
    private static void keepOnlyTheKey(ObjectNode before, ObjectNode pk, List<String> missing) {
        for (Iterator<String> columns = before.fieldNames(); columns.hasNext(); ) {
            String column = columns.next();
            if (!pk.has(column)) {
                if (!missing.contains("before." + column)) {
                    missing.add("before." + column);
                }
                columns.remove();
            }
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new ValidationException(field, "is required in a Debezium envelope");
        }
        return value;
    }

    private static Instant micros(JsonNode node, String microsField, String millisField, String name) {
        if (node.hasNonNull(microsField)) {
            long us = node.get(microsField).asLong();
            return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1_000L);
        }
        if (node.hasNonNull(millisField)) {
            return Instant.ofEpochMilli(node.get(millisField).asLong());
        }
        throw new ValidationException(name, "is required in a Debezium envelope");
    }
}
