package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.history.config.HistoryConfig;
import io.datamanager.model.Json;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The captured database: for restores (its column types, its live rows, applying SQL), and for the catalog of
 * tables that have had no change yet.
 */
@ApplicationScoped
public class SourceDatabase {
    private final HistoryConfig config;

    SourceDatabase(HistoryConfig config) {
        this.config = config;
    }

    public boolean configured() {
        return config.restore().jdbcUrl().isPresent();
    }

    /** A new connection, named {@code datamanager-<purpose>} in pg_stat_activity. */
    public Connection connect(String purpose) throws SQLException {
        Properties props = new Properties();
        config.restore().user().ifPresent(u -> props.setProperty("user", u));
        config.restore().password().ifPresent(p -> props.setProperty("password", p));
        props.setProperty("ApplicationName", "datamanager-" + purpose);
        return DriverManager.getConnection(config.restore().jdbcUrl().orElseThrow(), props);
    }

    /** Column name -> type as PostgreSQL writes it ({@code numeric(12,3)}, {@code integer[]}). */
    static Map<String, String> columnTypes(Connection c, String table) throws SQLException {
        Map<String, String> types = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                WHERE a.attrelid = CAST(? AS regclass) AND a.attnum > 0 AND NOT a.attisdropped""")) {
            ps.setString(1, SqlWriter.qualified(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    types.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return types;
    }

    /**
     * Compares the live row with what the restore expects, locking it when {@code lock}.
     *
     * @return empty when the live row equals {@code expected} (both absent counts), else the live row
     *     ({@code null} inside when absent)
     */
    static Optional<Optional<ObjectNode>> difference(Connection c, RowRestore row, Map<String, String> types, boolean lock)
            throws SQLException {
        List<Object> params = new ArrayList<>();
        StringBuilder same = new StringBuilder("true");
        if (row.from() != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = row.from().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> column = it.next();
                if (types.containsKey(column.getKey())) {
                    same.append(" AND t.").append(SqlWriter.ident(column.getKey())).append(" IS NOT DISTINCT FROM ")
                            .append(SqlWriter.param(column.getKey(), column.getValue(), types, params));
                }
            }
        }
        List<Object> all = new ArrayList<>(params);
        String sql = "SELECT (" + same + ") AS same, to_jsonb(t) AS live FROM " + SqlWriter.qualified(row.table()) + " t"
                + SqlWriter.where(row.pk(), types, all, "t.")
                + (lock ? " FOR UPDATE" : "");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < all.size(); i++) {
                ps.setObject(i + 1, all.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return row.from() == null ? Optional.empty() : Optional.of(Optional.empty());
                }
                ObjectNode live = (ObjectNode) Json.tree(rs.getString("live").getBytes(StandardCharsets.UTF_8), "live row");
                return row.from() != null && rs.getBoolean("same") ? Optional.empty() : Optional.of(Optional.of(live));
            }
        }
    }

    static void execute(Connection c, RestorePlan.Statement statement) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(statement.sql())) {
            for (int i = 0; i < statement.params().size(); i++) {
                ps.setObject(i + 1, statement.params().get(i));
            }
            ps.executeUpdate();
        }
    }
}
