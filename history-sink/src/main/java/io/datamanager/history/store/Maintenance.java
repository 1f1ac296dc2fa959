package io.datamanager.history.store;

import io.datamanager.model.Json;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Removal of versions: retention by policy, erasure of one row on request; both written to the audit log. */
@ApplicationScoped
public class Maintenance {
    private final DataSource dataSource;

    Maintenance(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Deletes versions older than the policy's days, keeping the newest {@code minVersions} of every row. */
    public long applyRetention(Policy policy) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                DELETE FROM dm_version v USING (
                  SELECT seq FROM (
                    SELECT seq, commit_ts,
                           row_number() OVER (PARTITION BY row_key ORDER BY commit_ts DESC, lsn DESC, seq DESC) AS newest
                    FROM dm_version WHERE table_name = ?) ranked
                  WHERE newest > ? AND commit_ts < now() - make_interval(days => ?)) old
                WHERE v.seq = old.seq""")) {
            ps.setString(1, policy.table());
            ps.setInt(2, policy.minVersions());
            ps.setInt(3, policy.retentionDays());
            long deleted = ps.executeUpdate();
            afterRemoval(c, policy.table(), deleted, "retention", Map.of("retentionDays", policy.retentionDays(),
                    "minVersions", policy.minVersions(), "deleted", deleted));
            return deleted;
        }
    }

    /** Erases every version of one row (privacy request); logged with the count, not the content. */
    public long erase(String table, String rowKey, String requestedBy) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("DELETE FROM dm_version WHERE table_name = ? AND row_key = ?")) {
            ps.setString(1, table);
            ps.setString(2, rowKey);
            long deleted = ps.executeUpdate();
            afterRemoval(c, table, deleted, "erase", Map.of("deleted", deleted, "requestedBy", requestedBy,
                    "rowKeyHash", Integer.toHexString(rowKey.hashCode())));
            return deleted;
        }
    }

    /** Removes a table's whole history (a table dropped at the source, say); logged with the count and who asked. */
    public long removeTable(String table, String requestedBy) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement versions = c.prepareStatement("DELETE FROM dm_version WHERE table_name = ?");
                    PreparedStatement entry = c.prepareStatement("DELETE FROM dm_table WHERE table_name = ?")) {
                versions.setString(1, table);
                long deleted = versions.executeUpdate();
                afterRemoval(c, table, deleted, "remove-table", Map.of("deleted", deleted, "requestedBy", requestedBy));
                entry.setString(1, table);
                entry.executeUpdate();
                c.commit();
                return deleted;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    public record AuditEntry(long id, java.time.Instant at, String action, String table, Object detail) {}

    public List<AuditEntry> audit(String table, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT * FROM dm_audit WHERE table_name = ? ORDER BY id DESC LIMIT ?")) {
            ps.setString(1, table);
            ps.setInt(2, limit);
            List<AuditEntry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new AuditEntry(rs.getLong("id"), rs.getTimestamp("at").toInstant(), rs.getString("action"),
                            rs.getString("table_name"), Json.tree(rs.getString("detail").getBytes(java.nio.charset.StandardCharsets.UTF_8), "detail")));
                }
            }
            return out;
        }
    }

    private static void afterRemoval(Connection c, String table, long deleted, String action, Map<String, Object> detail)
            throws SQLException {
        try (PreparedStatement count = c.prepareStatement(
                "UPDATE dm_table SET version_count = greatest(version_count - ?, 0) WHERE table_name = ?");
                PreparedStatement audit = c.prepareStatement(
                        "INSERT INTO dm_audit (action, table_name, detail, at) VALUES (?, ?, ?::jsonb, ?)")) {
            count.setLong(1, deleted);
            count.setString(2, table);
            count.executeUpdate();
            audit.setString(1, action);
            audit.setString(2, table);
            audit.setString(3, Json.toString(detail));
            audit.setTimestamp(4, new Timestamp(System.currentTimeMillis()));
            audit.executeUpdate();
        }
    }
}
