package io.datamanager.history.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Writes versions in batches: one statement per batch (arrays unnested server-side), idempotent by event
 * id, and the per-table counts updated in the same transaction.
 */
@ApplicationScoped
public class VersionStore {
    private static final String INSERT = """
            WITH ins AS (
              INSERT INTO dm_version (event_id, table_name, row_key, pk, op, before, after, changed, complete, missing,
                                      lsn, tx_id, commit_ts, capture_ts)
              SELECT e, t, k, pk::jsonb, op, b::jsonb, a::jsonb, ARRAY(SELECT jsonb_array_elements_text(ch::jsonb)), c,
                     ARRAY(SELECT jsonb_array_elements_text(m::jsonb)), l::pg_lsn, tx, ts, cts
              FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                          ?::boolean[], ?::text[], ?::text[], ?::bigint[], ?::timestamptz[], ?::timestamptz[])
                   WITH ORDINALITY AS u(e, t, k, pk, op, b, a, ch, c, m, l, tx, ts, cts, n)
              ORDER BY n
              ON CONFLICT (event_id) DO NOTHING
              RETURNING table_name, commit_ts)
            INSERT INTO dm_table (table_name, version_count, last_change)
            SELECT table_name, count(*), max(commit_ts) FROM ins GROUP BY table_name
            ON CONFLICT (table_name) DO UPDATE SET version_count = dm_table.version_count + EXCLUDED.version_count,
                last_change = greatest(dm_table.last_change, EXCLUDED.last_change)
            """;

    private final DataSource dataSource;

    VersionStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores the versions in one transaction; events already stored (same id) are skipped. */
    public void insert(List<ChangeEvent> events, Map<String, ObjectNode> columnTypes) throws SQLException {
        int n = events.size();
        String[] ids = new String[n], tables = new String[n], keys = new String[n], pks = new String[n], ops = new String[n];
        String[] befores = new String[n], afters = new String[n], changed = new String[n], missing = new String[n], lsns = new String[n];
        Boolean[] complete = new Boolean[n];
        Long[] txIds = new Long[n];
        Timestamp[] commits = new Timestamp[n], captures = new Timestamp[n];
        for (int i = 0; i < n; i++) {
            ChangeEvent e = events.get(i);
            ids[i] = e.id();
            tables[i] = e.table();
            keys[i] = e.key().substring(e.table().length());
            pks[i] = e.pk().toString();
            ops[i] = e.op().wireName();
            befores[i] = e.before() == null ? null : e.before().toString();
            afters[i] = e.after() == null ? null : e.after().toString();
            changed[i] = Json.toString(e.changed());
            complete[i] = e.complete();
            missing[i] = Json.toString(e.missing());
            lsns[i] = e.lsn();
            txIds[i] = e.txId();
            commits[i] = Timestamp.from(e.commitTs());
            captures[i] = e.captureTs() == null ? null : Timestamp.from(e.captureTs());
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                Object[][] columns = {ids, tables, keys, pks, ops, befores, afters, changed, complete, missing, lsns, txIds, commits, captures};
                String[] types = {"text", "text", "text", "text", "text", "text", "text", "text", "boolean", "text", "text", "bigint",
                    "timestamptz", "timestamptz"};
                for (int i = 0; i < columns.length; i++) {
                    Array array = c.createArrayOf(types[i], columns[i]);
                    ps.setArray(i + 1, array);
                }
                ps.executeUpdate();
                if (!columnTypes.isEmpty()) {
                    saveColumnTypes(c, columnTypes);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void saveColumnTypes(Connection c, Map<String, ObjectNode> columnTypes) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO dm_table (table_name, column_types) VALUES (?, ?::jsonb)
                ON CONFLICT (table_name) DO UPDATE SET column_types = dm_table.column_types || EXCLUDED.column_types""")) {
            for (var entry : columnTypes.entrySet()) {
                ps.setString(1, entry.getKey());
                ps.setString(2, entry.getValue().toString());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Number of stored versions (for tests and metrics). */
    public long count() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM dm_version");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
