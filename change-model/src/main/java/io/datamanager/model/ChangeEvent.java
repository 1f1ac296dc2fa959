package io.datamanager.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One change of one row, in the one format everything downstream of capture reads (contract: ChangeEvent
 * JSON version 1). Row images hold values with their PostgreSQL meaning: numerics as exact decimal
 * strings, times as ISO-8601, json/jsonb as JSON, bytea as base64, arrays as JSON arrays.
 *
 * @param v format version, always 1
 * @param id deterministic id ({@link RowKey#eventId}): same table, pk and LSN give the same id on replay
 * @param table {@code schema.table}
 * @param op what happened
 * @param pk the row's primary key columns (for a table without one: see {@code DebeziumEnvelopes})
 * @param before the full previous row for update and delete, when known; null for insert and snapshot
 * @param after the new row for insert, update and snapshot; null for delete and truncate
 * @param changed for updates, the columns whose value differs between before and after
 * @param complete false when a value could not be filled (the columns are in {@code missing})
 * @param missing columns of {@code after} (or of {@code before}) whose value is not known; omitted when none
 * @param lsn the change's position in the PostgreSQL WAL
 * @param txId the source transaction id, when known
 * @param commitTs commit time of the source transaction, microsecond precision
 * @param captureTs when the capture engine read the change
 * @param jsonNulls columns of {@code before} or {@code after} (as {@code before.<col>}, {@code after.<col>}) whose
 *        value is the JSON value {@code null} of a json/jsonb column ({@code 'null'::jsonb}), not SQL NULL: in the
 *        images both are JSON {@code null}; omitted when none
 * @param context the application context of the change's transaction (issue 17: {@code dm.context} logical
 *        messages), a JSON object; null when the transaction has none
 */
@JsonIgnoreProperties(ignoreUnknown = true) // a tolerant reader: a newer producer may add fields to version 1; types stay strict
@JsonPropertyOrder({"v", "id", "table", "op", "pk", "before", "after", "changed", "complete", "missing", "lsn", "txId",
    "commitTs", "captureTs", "jsonNulls", "context"})
public record ChangeEvent(
        int v,
        String id,
        String table,
        Op op,
        @JsonDeserialize(using = ExactJson.Objects.class) ObjectNode pk,
        @JsonDeserialize(using = ExactJson.Objects.class) ObjectNode before,
        @JsonDeserialize(using = ExactJson.Objects.class) ObjectNode after,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> changed,
        boolean complete,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> missing,
        String lsn,
        Long txId,
        Instant commitTs,
        Instant captureTs,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> jsonNulls,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonDeserialize(using = ExactJson.Objects.class) ObjectNode context) {

    public static final int VERSION = 1;
    private static final Pattern TABLE = Pattern.compile("[^.\\s]+\\.[^\\s]+");

    public ChangeEvent {
        check(v, id, table, op, pk != null, before != null, after != null, changed, complete, missing, lsn, commitTs, jsonNulls);
        pk = pk.deepCopy();
        before = before == null ? null : before.deepCopy();
        after = after == null ? null : after.deepCopy();
        changed = changed == null ? List.of() : List.copyOf(changed);
        missing = missing == null ? List.of() : List.copyOf(missing);
        jsonNulls = jsonNulls == null ? List.of() : List.copyOf(jsonNulls);
        context = context == null ? null : context.deepCopy();
    }

    /**
     * Every rule of the format on an event's fields, in the order the constructor applies them: a
     * {@link ValidationException} naming the first field that breaks one. Readers that take an event apart without making
     * one (the history ingest's direct read) check it here, so they refuse exactly what the constructor refuses.
     */
    public static void check(int v, String id, String table, Op op, boolean pk, boolean before, boolean after, List<String> changed,
            boolean complete, List<String> missing, String lsn, Instant commitTs, List<String> jsonNulls) {
        if (v != VERSION) {
            throw new ValidationException("v", "must be " + VERSION + ", was " + v);
        }
        if (id == null || id.isBlank()) {
            throw new ValidationException("id", "is required");
        }
        if (table == null || !TABLE.matcher(table).matches()) {
            throw new ValidationException("table", "must be schema.table, was '" + table + "'");
        }
        if (op == null) {
            throw new ValidationException("op", "is required");
        }
        if (!pk) {
            throw new ValidationException("pk", "is required (an empty object for truncate)");
        }
        switch (op) {
            case INSERT, SNAPSHOT, UPDATE -> {
                if (!after) {
                    throw new ValidationException("after", "is required for " + op.wireName());
                }
            }
            case DELETE -> {
                if (after) {
                    throw new ValidationException("after", "must be absent for delete");
                }
            }
            case TRUNCATE -> {
                if (before || after) {
                    throw new ValidationException("before", "a truncate carries no row images");
                }
            }
        }
        Lsn.parse(lsn, "lsn");
        if (commitTs == null) {
            throw new ValidationException("commitTs", "is required");
        }
        for (List<String> names : java.util.Arrays.asList(changed, missing, jsonNulls)) { // as List.copyOf refuses them
            if (names != null) {
                names.forEach(java.util.Objects::requireNonNull);
            }
        }
        for (String path : jsonNulls == null ? List.<String>of() : jsonNulls) {
            if (!path.startsWith("before.") && !path.startsWith("after.")) {
                throw new ValidationException("jsonNulls", "entries are before.<column> or after.<column>, was '" + path + "'");
            }
        }
        if (complete != (missing == null || missing.isEmpty())) {
            throw new ValidationException("complete", "must be false exactly when 'missing' names columns");
        }
    }

    /** An event without JSON nulls or context: the shape before those two fields existed. */
    public ChangeEvent(int v, String id, String table, Op op, ObjectNode pk, ObjectNode before, ObjectNode after,
            List<String> changed, boolean complete, List<String> missing, String lsn, Long txId, Instant commitTs,
            Instant captureTs) {
        this(v, id, table, op, pk, before, after, changed, complete, missing, lsn, txId, commitTs, captureTs, null, null);
    }

    /** The same change with other row images and column lists; its JSON nulls and context are kept. */
    public ChangeEvent withImages(ObjectNode newBefore, ObjectNode newAfter, List<String> newChanged, List<String> newMissing) {
        return new ChangeEvent(v, id, table, op, pk, newBefore, newAfter, newChanged, newMissing == null || newMissing.isEmpty(),
                newMissing, lsn, txId, commitTs, captureTs, jsonNulls, context);
    }

    /** The same change with other row images, column lists and JSON nulls; its context is kept. */
    public ChangeEvent withImages(ObjectNode newBefore, ObjectNode newAfter, List<String> newChanged, List<String> newMissing,
            List<String> newJsonNulls) {
        return new ChangeEvent(v, id, table, op, pk, newBefore, newAfter, newChanged, newMissing == null || newMissing.isEmpty(),
                newMissing, lsn, txId, commitTs, captureTs, newJsonNulls, context);
    }

    /** The same change with this application context (null for none). */
    public ChangeEvent withContext(ObjectNode newContext) {
        return new ChangeEvent(v, id, table, op, pk, before, after, changed, complete, missing, lsn, txId, commitTs, captureTs,
                jsonNulls, newContext);
    }

    /**
     * The columns whose value differs between the images, leaving out any column named in {@code missing}
     * for either image (its value is not known, so neither is whether it changed).
     */
    public static List<String> changedColumns(ObjectNode before, ObjectNode after, List<String> missing) {
        return changedColumns(before, after, missing, List.of());
    }

    /** As {@link #changedColumns(ObjectNode, ObjectNode, List)}; a JSON null and SQL NULL ({@code jsonNulls}) differ too. */
    public static List<String> changedColumns(ObjectNode before, ObjectNode after, List<String> missing, List<String> jsonNulls) {
        List<String> changed = new java.util.ArrayList<>();
        after.fieldNames().forEachRemaining(column -> {
            if (!missing.contains("before." + column) && !missing.contains("after." + column)
                    && (!java.util.Objects.equals(before.get(column), after.get(column))
                            || jsonNulls.contains("before." + column) != jsonNulls.contains("after." + column))) {
                changed.add(column);
            }
        });
        return changed;
    }

    /** The Kafka key: table plus canonical primary key. */
    public String key() {
        return RowKey.of(table, pk);
    }

    public Lsn lsnValue() {
        return Lsn.parse(lsn);
    }

    public byte[] toJson() {
        return Json.toBytes(this);
    }

    public static ChangeEvent fromJson(byte[] json) {
        return Json.read(json, ChangeEvent.class);
    }
}
