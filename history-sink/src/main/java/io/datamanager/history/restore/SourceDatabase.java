package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.history.config.HistoryConfig;
import io.datamanager.model.ExactJson;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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

    /**
     * The live row (null when absent) and whether it is as history's newest version has it ({@code from}) and
     * already as the restore would make it ({@code to}); compared by PostgreSQL in the column's own type.
     */
    record LiveRow(ObjectNode row, boolean matchesFrom, boolean matchesTo) {}

    /** Reads the live row, locking it when {@code lock}; only the columns the images hold are compared. */
    static LiveRow live(Connection c, RowRestore row, Map<String, String> types, boolean lock) throws SQLException {
        List<Object> params = new ArrayList<>();
        String sameAsFrom = sameAs(row.from(), types, params);
        String sameAsTo = sameAs(row.to(), types, params);
        String sql = "SELECT (" + sameAsFrom + ") AS same_from, (" + sameAsTo + ") AS same_to, to_jsonb(t) AS live FROM "
                + SqlWriter.qualified(row.table()) + " t" + SqlWriter.where(row.pk(), types, params, "t.")
                + (lock ? " FOR UPDATE" : "");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new LiveRow(null, row.from() == null, row.to() == null);
                }
                ObjectNode live = ExactJson.object(rs.getString("live"), "live row");
                return new LiveRow(live, rs.getBoolean("same_from"), rs.getBoolean("same_to"));
            }
        }
    }

    /** SQL that is true when the live row {@code t} holds the image's values; false for an absent image. */
    private static String sameAs(ObjectNode image, Map<String, String> types, List<Object> params) {
        if (image == null) {
            return "false";
        }
        StringBuilder same = new StringBuilder("true");
        for (Iterator<Map.Entry<String, JsonNode>> it = image.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> column = it.next();
            String type = types.get(column.getKey());
            if (type == null) {
                continue;
            }
            String live = "t." + SqlWriter.ident(column.getKey());
            String value = SqlWriter.param(column.getKey(), column.getValue(), types, params);
            if (type.equals("json") || type.equals("json[]")) { // json has no equality operator: compare as jsonb
                String as = type.equals("json") ? "jsonb" : "jsonb[]";
                live = "CAST(" + live + " AS " + as + ")";
                value = "CAST(" + value + " AS " + as + ")";
            }
            same.append(" AND ").append(live).append(" IS NOT DISTINCT FROM ").append(value);
        }
        return same.toString();
    }
}
