package io.datamanager.history.store;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/** Policies per table, cached for the ingest; a change through {@link #save} is effective for the next batch. */
@ApplicationScoped
public class PolicyStore {
    private final DataSource dataSource;
    private final Map<String, Policy> cache = new ConcurrentHashMap<>();
    private volatile java.util.Set<String> contextKeys;

    PolicyStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Policy get(String table) {
        return cache.computeIfAbsent(table, this::load);
    }

    /**
     * The context keys any table's policy redacts ({@code redactedColumns} entries {@code context.<key>}). Context is
     * per transaction while policies are per table, and a transaction's context may arrive before its changes: a key
     * one policy names is redacted in every transaction's context, whatever tables it touched.
     */
    public java.util.Set<String> redactedContextKeys() {
        java.util.Set<String> keys = contextKeys;
        if (keys == null) {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT DISTINCT substr(entry, ?) FROM dm_policy, unnest(redacted_columns) AS entry WHERE starts_with(entry, ?)")) {
                ps.setInt(1, Redaction.CONTEXT_PREFIX.length() + 1);
                ps.setString(2, Redaction.CONTEXT_PREFIX);
                java.util.Set<String> out = new java.util.HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                keys = contextKeys = java.util.Set.copyOf(out);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the redacted context keys of the history policies", e);
            }
        }
        return keys;
    }

    public List<Policy> withRetention() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT * FROM dm_policy WHERE retention_days IS NOT NULL");
                ResultSet rs = ps.executeQuery()) {
            var out = new java.util.ArrayList<Policy>();
            while (rs.next()) {
                out.add(read(rs));
            }
            return out;
        }
    }

    public Policy save(Policy policy) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO dm_policy (table_name, tracking, retention_days, min_versions, redacted_columns, updated_at)
                VALUES (?, ?, ?, ?, ?, now())
                ON CONFLICT (table_name) DO UPDATE SET tracking = EXCLUDED.tracking, retention_days = EXCLUDED.retention_days,
                    min_versions = EXCLUDED.min_versions, redacted_columns = EXCLUDED.redacted_columns, updated_at = now()""")) {
            ps.setString(1, policy.table());
            ps.setBoolean(2, policy.tracking());
            ps.setObject(3, policy.retentionDays());
            ps.setInt(4, policy.minVersions());
            ps.setArray(5, c.createArrayOf("text", policy.redactedColumns().toArray()));
            ps.executeUpdate();
        }
        cache.put(policy.table(), policy);
        contextKeys = null;
        return policy;
    }

    /** Removes a table's policy, so the defaults apply again; false when it had none. */
    public boolean delete(String table) throws SQLException {
        int removed;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("DELETE FROM dm_policy WHERE table_name = ?")) {
            ps.setString(1, table);
            removed = ps.executeUpdate();
        }
        cache.remove(table);
        contextKeys = null;
        return removed > 0;
    }

    private Policy load(String table) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT * FROM dm_policy WHERE table_name = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? read(rs) : Policy.defaults(table);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the history policy of " + table, e);
        }
    }

    private static Policy read(ResultSet rs) throws SQLException {
        Integer days = (Integer) rs.getObject("retention_days");
        String[] redacted = (String[]) rs.getArray("redacted_columns").getArray();
        return new Policy(rs.getString("table_name"), rs.getBoolean("tracking"), days, rs.getInt("min_versions"),
                Arrays.asList(redacted));
    }
}
