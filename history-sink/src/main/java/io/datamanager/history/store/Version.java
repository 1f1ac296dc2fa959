package io.datamanager.history.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ExactJson;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * One stored version of a row, as the history API returns it; {@code context} is the application context of its
 * transaction (absent when it has none).
 *
 * @param jsonNulls the columns of {@code before} and {@code after} ({@code before.<col>}, {@code after.<col>}) holding the
 *     JSON value null of a json/jsonb column, not SQL NULL (both are JSON null in the images); omitted when none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Version(long versionId, String eventId, String table, String op, ObjectNode pk, ObjectNode before,
        ObjectNode after, List<String> changed, boolean complete, List<String> missing, String lsn, Long txId,
        Instant commitTs, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> jsonNulls, ObjectNode context) {

    static final String COLUMNS = "seq, event_id, table_name, op, pk, before, after, changed, complete, missing, lsn::text AS lsn, "
            + "tx_id, commit_ts, json_nulls";

    static Version read(ResultSet rs) throws SQLException {
        return new Version(rs.getLong("seq"), rs.getString("event_id"), rs.getString("table_name"), rs.getString("op"),
                object(rs.getString("pk")), object(rs.getString("before")), object(rs.getString("after")),
                Arrays.asList((String[]) rs.getArray("changed").getArray()), rs.getBoolean("complete"),
                Arrays.asList((String[]) rs.getArray("missing").getArray()), rs.getString("lsn"),
                (Long) rs.getObject("tx_id"), rs.getTimestamp("commit_ts").toInstant(),
                Arrays.asList((String[]) rs.getArray("json_nulls").getArray()), null);
    }

    /** This version with its transaction's application context (null: none); see {@link ContextStore#attach}. */
    public Version withContext(ObjectNode transactionContext) {
        return new Version(versionId, eventId, table, op, pk, before, after, changed, complete, missing, lsn, txId, commitTs,
                jsonNulls, transactionContext);
    }

    /** The row as it was once this version happened: null after a delete. */
    public ObjectNode rowAfter() {
        return "delete".equals(op) || "truncate".equals(op) ? null : after;
    }

    /** The columns of {@link #rowAfter} that hold the JSON value null, not SQL NULL. */
    public List<String> rowAfterJsonNulls() {
        return rowAfter() == null ? List.of() : columns("after.");
    }

    /** The columns of {@code before} that hold the JSON value null, not SQL NULL. */
    public List<String> beforeJsonNulls() {
        return columns("before.");
    }

    private List<String> columns(String prefix) {
        return jsonNulls.stream().filter(p -> p.startsWith(prefix)).map(p -> p.substring(prefix.length())).toList();
    }

    private static ObjectNode object(String json) {
        return ExactJson.object(json, "stored image"); // jsonb keeps 2.50 as written: so does the version
    }
}
