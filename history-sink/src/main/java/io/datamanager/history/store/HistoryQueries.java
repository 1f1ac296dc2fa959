package io.datamanager.history.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.Json;
import io.datamanager.model.RowKey;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;

/** Reads the history database: timelines, searches, as-of, tables. SQL is fixed text with parameters. */
@ApplicationScoped
public class HistoryQueries {
    private final DataSource dataSource;

    HistoryQueries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * A table history holds.
     *
     * @param dropped whether the table is gone from the source database's catalog (null: not known, no source connection)
     * @param droppedAt when history first saw it gone (checked whenever the tables are listed)
     */
    public record Table(String table, long versions, Instant lastChange, JsonNode columnTypes,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Boolean dropped,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Instant droppedAt) {
        public Table withDropped(boolean gone, Instant at) {
            return new Table(table, versions, lastChange, columnTypes, gone, gone ? at : null);
        }
    }

    public List<Table> tables() throws SQLException {
        List<Table> out = new ArrayList<>();
        query("SELECT * FROM dm_table ORDER BY table_name", List.of(), rs -> out.add(readTable(rs)));
        return out;
    }

    /** One table's entry: a lookup by key, since every API call with {@code table=} checks it. */
    public Optional<Table> table(String name) throws SQLException {
        List<Table> out = new ArrayList<>();
        query("SELECT * FROM dm_table WHERE table_name = ?", List.of(name), rs -> out.add(readTable(rs)));
        return out.stream().findFirst();
    }

    private static Table readTable(ResultSet rs) throws SQLException {
        Timestamp last = rs.getTimestamp("last_change");
        Timestamp dropped = rs.getTimestamp("dropped_at");
        return new Table(rs.getString("table_name"), rs.getLong("version_count"), last == null ? null : last.toInstant(),
                Json.tree(rs.getString("column_types").getBytes(java.nio.charset.StandardCharsets.UTF_8), "types"),
                dropped == null ? null : true, dropped == null ? null : dropped.toInstant());
    }

    /**
     * Records which tables are gone from the source ({@code gone}) and which are there ({@code present}): a table
     * keeps the time it was first seen gone; one created again is present again. Answers the tables as now marked.
     */
    public List<Table> markDropped(java.util.Set<String> present) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement gone = c.prepareStatement(
                        "UPDATE dm_table SET dropped_at = now() WHERE dropped_at IS NULL AND NOT (table_name = ANY(?))");
                PreparedStatement back = c.prepareStatement(
                        "UPDATE dm_table SET dropped_at = NULL WHERE dropped_at IS NOT NULL AND table_name = ANY(?)")) {
            java.sql.Array names = c.createArrayOf("text", present.toArray(String[]::new));
            gone.setArray(1, names);
            gone.executeUpdate();
            back.setArray(1, names);
            back.executeUpdate();
        }
        return tables().stream().map(t -> t.withDropped(!present.contains(t.table()), t.droppedAt())).toList();
    }

    /** The primary key columns of a table, as its recorded versions name them (empty when none recorded). */
    public List<String> keyColumns(String table) throws SQLException {
        List<String> out = new ArrayList<>();
        query("SELECT pk FROM dm_version WHERE table_name = ? ORDER BY commit_ts DESC LIMIT 1", List.of(table), rs ->
                Json.tree(rs.getString(1).getBytes(java.nio.charset.StandardCharsets.UTF_8), "pk").fieldNames().forEachRemaining(out::add));
        return out;
    }

    /** Versions newest first, one page of at most {@code limit}. */
    public List<Version> search(HistoryQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + Version.COLUMNS + " FROM dm_version WHERE true");
        List<Object> params = new ArrayList<>();
        if (q.table() != null) {
            sql.append(" AND table_name = ?");
            params.add(q.table());
        }
        if (!q.pk().isEmpty()) {
            appendRow(sql, params, q.pk());
        }
        if (q.op() != null) {
            sql.append(" AND op = ?");
            params.add(q.op().wireName());
        }
        if (q.since() != null) {
            sql.append(" AND commit_ts >= ?");
            params.add(Timestamp.from(q.since()));
        }
        if (q.until() != null) {
            sql.append(" AND commit_ts < ?");
            params.add(Timestamp.from(q.until()));
        }
        if (q.changed() != null) {
            sql.append(" AND ? = ANY(changed)");
            params.add(q.changed());
        }
        if (q.txId() != null) {
            sql.append(" AND tx_id = ?");
            params.add(q.txId());
        }
        for (Map.Entry<String, HistoryQuery.Match> m : q.match().entrySet()) {
            sql.append(" AND (after -> ? IN (to_jsonb(CAST(? AS text)), CAST(? AS jsonb))"
                    + " OR before -> ? IN (to_jsonb(CAST(? AS text)), CAST(? AS jsonb)))");
            String text = m.getValue().text();
            String json = m.getValue().json();
            params.addAll(java.util.Arrays.asList(m.getKey(), text, json, m.getKey(), text, json));
        }
        ContextStore.appendFilter(sql, params, q.context());
        if (q.cursor() != null) {
            sql.append(" AND (commit_ts, seq) < (?, ?)");
            params.add(Timestamp.from(q.cursor().commitTs()));
            params.add(q.cursor().versionId());
        }
        sql.append(" ORDER BY commit_ts DESC, seq DESC LIMIT ?");
        params.add(q.limit());
        List<Version> out = new ArrayList<>();
        query(sql.toString(), params, rs -> out.add(Version.read(rs)));
        return out;
    }

    /** The row's latest version committed at or before {@code at}; empty when nothing was recorded by then. */
    public Optional<Version> asOf(String table, Map<String, String> pk, Instant at) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + Version.COLUMNS + " FROM dm_version WHERE table_name = ?");
        List<Object> params = new ArrayList<>(List.of(table));
        appendRow(sql, params, pk);
        sql.append(" AND commit_ts <= ? ORDER BY commit_ts DESC, lsn DESC, seq DESC LIMIT 1");
        params.add(Timestamp.from(at));
        List<Version> out = new ArrayList<>();
        query(sql.toString(), params, rs -> out.add(Version.read(rs)));
        return out.stream().findFirst();
    }

    /** Every row of the table as it was at {@code at}, one at a time (rows deleted by then are left out). */
    public void tableAsOf(String table, Instant at, Consumer<Version> each) throws SQLException {
        query("SELECT * FROM (SELECT DISTINCT ON (row_key) " + Version.COLUMNS + " FROM dm_version "
                + "WHERE table_name = ? AND commit_ts <= ? ORDER BY row_key, commit_ts DESC, lsn DESC, seq DESC) v "
                + "WHERE op NOT IN ('delete', 'truncate')",
                List.of(table, Timestamp.from(at)), rs -> each.accept(Version.read(rs)));
    }

    public Optional<Version> version(long id) throws SQLException {
        List<Version> out = new ArrayList<>();
        query("SELECT " + Version.COLUMNS + " FROM dm_version WHERE seq = ?", List.of(id), rs -> out.add(Version.read(rs)));
        return out.stream().findFirst();
    }

    /** The latest version of a row, whatever its time. */
    public Optional<Version> latest(String table, Map<String, String> pk) throws SQLException {
        return asOf(table, pk, Instant.parse("9999-12-31T23:59:59Z"));
    }

    /** Every version written by one source transaction, in commit (LSN) order. */
    public List<Version> transaction(long txId) throws SQLException {
        List<Version> out = new ArrayList<>();
        query("SELECT " + Version.COLUMNS + " FROM dm_version WHERE tx_id = ? ORDER BY lsn, seq", List.of(txId),
                rs -> out.add(Version.read(rs)));
        return out;
    }

    /** A cut in a row's timeline: after one version, or after everything committed by a time. */
    public record Point(Instant commitTs, String lsn, long seq) {
        public static Point after(Version v) {
            return new Point(v.commitTs(), v.lsn(), v.versionId());
        }

        public static Point at(Instant at) {
            return new Point(at, "FFFFFFFF/FFFFFFFF", Long.MAX_VALUE);
        }
    }

    /** The row's versions after the point, oldest first, at most {@code limit}. */
    public List<Version> after(String table, Map<String, String> pk, Point point, int limit) throws SQLException {
        return afterPoint(table, pk, point, null, "", limit);
    }

    /** The row's last version written by transaction {@code txId} after the point. */
    public Optional<Version> lastOfTransaction(String table, Map<String, String> pk, Point point, long txId) throws SQLException {
        return afterPoint(table, pk, point, txId, " DESC", 1).stream().findFirst();
    }

    private List<Version> afterPoint(String table, Map<String, String> pk, Point point, Long txId, String direction, int limit)
            throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + Version.COLUMNS + " FROM dm_version WHERE table_name = ?");
        List<Object> params = new ArrayList<>(List.of(table));
        appendRow(sql, params, pk);
        // the first condition lets the row index start at the point; the second orders versions of one instant
        sql.append(" AND commit_ts >= ? AND (commit_ts, lsn, seq) > (?, CAST(? AS pg_lsn), ?)");
        params.addAll(List.of(Timestamp.from(point.commitTs()), Timestamp.from(point.commitTs()), point.lsn(), point.seq()));
        if (txId != null) {
            sql.append(" AND tx_id = ?");
            params.add(txId);
        }
        sql.append(" ORDER BY commit_ts").append(direction).append(", lsn").append(direction).append(", seq").append(direction)
                .append(" LIMIT ?");
        params.add(limit);
        List<Version> out = new ArrayList<>();
        query(sql.toString(), params, rs -> out.add(Version.read(rs)));
        return out;
    }

    /**
     * Narrows to one row: the index on row_key with every typed reading of the given text values
     * ({@code 42} may be the number or the text), and each column checked by its text form.
     */
    private static void appendRow(StringBuilder sql, List<Object> params, Map<String, String> pk) {
        List<String> keys = rowKeyCandidates(pk);
        sql.append(" AND row_key = ANY(?)");
        params.add(keys.toArray(String[]::new));
        for (Map.Entry<String, String> column : pk.entrySet()) {
            sql.append(" AND pk ->> ? = ?");
            params.add(column.getKey());
            params.add(column.getValue());
        }
    }

    static String jsonOrNull(String value) {
        try {
            Json.mapper().readTree(value);
            return value;
        } catch (Exception notJson) {
            return null;
        }
    }

    private static final java.util.regex.Pattern JSON_NUMBER = java.util.regex.Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]{1,4})?");

    static List<String> rowKeyCandidates(Map<String, String> pk) {
        List<ObjectNode> keys = new ArrayList<>(List.of(Json.mapper().createObjectNode()));
        for (Map.Entry<String, String> column : pk.entrySet()) {
            List<ObjectNode> next = new ArrayList<>();
            for (ObjectNode key : keys) {
                next.add(key.deepCopy().put(column.getKey(), column.getValue()));
                if (JSON_NUMBER.matcher(column.getValue()).matches()) { // ASCII only: BigDecimal would read other digits too
                    next.add(key.deepCopy().put(column.getKey(), new BigDecimal(column.getValue())));
                }
                if (column.getValue().equals("true") || column.getValue().equals("false")) {
                    next.add(key.deepCopy().put(column.getKey(), Boolean.parseBoolean(column.getValue())));
                }
            }
            keys = next;
        }
        return keys.stream().map(RowKey::canonical).toList();
    }

    @FunctionalInterface
    interface RowHandler {
        void accept(ResultSet rs) throws SQLException;
    }

    void query(String sql, List<Object> params, RowHandler handler) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                Object p = params.get(i);
                if (p instanceof String[] array) {
                    ps.setArray(i + 1, c.createArrayOf("text", array));
                } else {
                    ps.setObject(i + 1, p);
                }
            }
            ps.setFetchSize(500);
            c.setAutoCommit(false); // lets the driver stream large results with the fetch size
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    handler.accept(rs);
                }
            } finally {
                c.commit();
            }
        }
    }

}
