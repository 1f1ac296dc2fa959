package io.datamanager.history.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes versions in batches: COPY into a per-connection staging table, then one INSERT into the history,
 * idempotent by event id, and the per-table counts updated in the same transaction.
 */
@ApplicationScoped
public class VersionStore {
    /** Per-connection staging table that COPY fills; emptied at commit. */
    private static final String STAGE = """
            CREATE TEMP TABLE IF NOT EXISTS dm_stage (
              n bigint, event_id text, table_name text, row_key text, pk jsonb, op text, before jsonb, after jsonb,
              changed text[], complete boolean, missing text[], lsn pg_lsn, tx_id bigint, commit_ts timestamptz,
              capture_ts timestamptz, json_nulls text[]) ON COMMIT DELETE ROWS""";
    private static final String COPY = "COPY dm_stage FROM STDIN";
    private static final String MOVE = """
            WITH ins AS (
              INSERT INTO dm_version (event_id, table_name, row_key, pk, op, before, after, changed, complete, missing,
                                      lsn, tx_id, commit_ts, capture_ts, json_nulls)
              SELECT event_id, table_name, row_key, pk, op, before, after, changed, complete, missing, lsn, tx_id,
                     commit_ts, capture_ts, json_nulls
              FROM dm_stage ORDER BY n
              ON CONFLICT (event_id) DO NOTHING
              RETURNING table_name, commit_ts)
            INSERT INTO dm_table (table_name, version_count, last_change)
            SELECT table_name, count(*), max(commit_ts) FROM ins GROUP BY table_name ORDER BY table_name -- one lock order for parallel writers
            ON CONFLICT (table_name) DO UPDATE SET version_count = dm_table.version_count + EXCLUDED.version_count,
                last_change = greatest(dm_table.last_change, EXCLUDED.last_change)
            """;

    private final DataSource dataSource;

    VersionStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores the versions in one transaction (COPY into a staging table, then one INSERT); replays are skipped. */
    public void insert(List<ChangeEvent> events, Map<String, ObjectNode> columnTypes) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute(STAGE);
                copy(c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY), events);
                s.executeUpdate(MOVE);
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

    /**
     * Sends each line as UTF-8 bytes encoded here, whole. The driver's {@code copyIn(sql, Reader)} encodes
     * 65,536-character chunks one at a time, so a 4-byte character whose surrogate pair a chunk boundary
     * splits was stored as {@code ??}.
     */
    private static void copy(CopyIn copy, List<ChangeEvent> events) throws SQLException {
        try {
            for (int i = 0; i < events.size(); i++) {
                byte[] line = CopyRows.row(i, events.get(i)).getBytes(StandardCharsets.UTF_8);
                copy.writeToCopy(line, 0, line.length);
            }
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
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

}
