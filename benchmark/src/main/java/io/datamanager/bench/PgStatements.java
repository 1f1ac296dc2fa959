package io.datamanager.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * PostgreSQL's own view of where its time went in a stage, when profiling: pg_stat_statements (loaded at start by
 * {@link Platform}) reset before the stage and read after it, the statements that took most time first.
 */
final class PgStatements {
    /** A statement: calls, total and mean execution time, rows. */
    record Statement(String database, long calls, double totalMs, double meanMs, long rows, String query) {}

    private final boolean enabled;

    PgStatements(boolean enabled) {
        this.enabled = enabled;
    }

    /** Forgets what was gathered so far. */
    void reset(Platform platform) {
        if (!enabled) {
            return;
        }
        try (Connection c = platform.connect("postgres"); java.sql.Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_statements_reset()");
        } catch (SQLException e) {
            System.err.println("pg_stat_statements: " + e.getMessage());
        }
    }

    /** The statements that took most time since the last reset, in {@code databases}. */
    List<Statement> top(Platform platform, Set<String> databases) {
        List<Statement> top = new ArrayList<>();
        if (!enabled) {
            return top;
        }
        try (Connection c = platform.connect("postgres"); java.sql.Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("""
                        SELECT d.datname, s.calls, s.total_exec_time, s.mean_exec_time, s.rows, s.query
                        FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                        ORDER BY s.total_exec_time DESC LIMIT 40""")) {
            while (rs.next() && top.size() < 12) {
                if (databases.contains(rs.getString(1))) {
                    String query = rs.getString(6).replaceAll("\\s+", " ").trim();
                    top.add(new Statement(rs.getString(1), rs.getLong(2), rs.getDouble(3), rs.getDouble(4), rs.getLong(5),
                            query.length() > 160 ? query.substring(0, 157) + "..." : query));
                }
            }
        } catch (SQLException e) {
            System.err.println("pg_stat_statements: " + e.getMessage());
        }
        return top;
    }
}
