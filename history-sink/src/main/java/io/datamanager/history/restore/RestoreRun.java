package io.datamanager.history.restore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Runs a plan's statements in the caller's transaction: deferrable keys deferred first where a cycle needs it, runs
 * of the same SQL sent as JDBC batches. A statement the source refuses becomes a {@link RestoreRefused} with
 * PostgreSQL's message, SQLSTATE, and the statement's table, key and SQL (the caller rolls back).
 */
final class RestoreRun {
    /** Statements sent in one batch at most; a refused batch is run again one by one to name the statement. */
    private static final int BATCH = 500;

    private RestoreRun() {}

    static void run(Connection c, RestorePlan plan) throws SQLException {
        if (!plan.deferredConstraints().isEmpty()) {
            try (Statement s = c.createStatement()) {
                s.execute("SET CONSTRAINTS " + String.join(", ", plan.deferredConstraints()) + " DEFERRED");
            }
        }
        List<RestorePlan.Statement> statements = plan.statements();
        int start = 0;
        while (start < statements.size()) {
            int end = start + 1;
            while (end < statements.size() && end - start < BATCH && statements.get(end).sql().equals(statements.get(start).sql())) {
                end++;
            }
            List<RestorePlan.Statement> run = statements.subList(start, end);
            if (run.size() == 1) {
                executeOne(c, run.get(0));
            } else {
                Savepoint before = c.setSavepoint();
                try (PreparedStatement ps = c.prepareStatement(run.get(0).sql())) {
                    for (RestorePlan.Statement s : run) {
                        bind(ps, s);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                    c.releaseSavepoint(before);
                } catch (SQLException refused) {
                    c.rollback(before); // one by one, so the refusal names its statement
                    for (RestorePlan.Statement s : run) {
                        executeOne(c, s);
                    }
                    throw refused(refused, null, "a batch of " + run.size() + " " + run.get(0).action() + "(s) of " + run.get(0).table());
                }
            }
            start = end;
        }
    }

    /** The restore's own transaction id, as capture records it (32 bits), before commit. */
    static long transactionId(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT txid_current() % 4294967296")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Deferred keys are checked at commit: a refusal there is the source's answer too. */
    static void commit(Connection c, RestorePlan plan) throws SQLException {
        try {
            c.commit();
        } catch (SQLException e) {
            throw refused(e, null, plan.deferredConstraints().isEmpty() ? "commit" : "commit (deferred keys "
                    + String.join(", ", plan.deferredConstraints()) + " checked)");
        }
    }

    static String walPosition(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void executeOne(Connection c, RestorePlan.Statement statement) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(statement.sql())) {
            bind(ps, statement);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw refused(e, statement, null);
        }
    }

    private static void bind(PreparedStatement ps, RestorePlan.Statement statement) throws SQLException {
        for (int i = 0; i < statement.params().size(); i++) {
            ps.setObject(i + 1, statement.params().get(i));
        }
    }

    /** 409 when the source's data stood in the way (a key, a unique value, a check), 422 when the statement was wrong. */
    static RuntimeException refused(SQLException e, RestorePlan.Statement statement, String when) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08")) {
            return new RestoreRefused(503, "Source database unavailable", "the source database could not be reached ("
                    + e.getMessage() + "); nothing was written: try again shortly", null, e);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("sqlState", state);
        String message = e.getMessage();
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            ServerErrorMessage m = p.getServerErrorMessage();
            message = m.getMessage();
            put(details, "detail", m.getDetail());
            put(details, "constraint", m.getConstraint());
        }
        details.put("message", message);
        if (statement != null) {
            details.put("table", statement.table());
            details.put("pk", statement.pk());
            details.put("action", statement.action());
            details.put("statement", statement.pasteable());
        } else {
            details.put("at", when);
        }
        details.put("rolledBack", true);
        boolean conflict = state.startsWith("23") || state.startsWith("40");
        String where = statement == null ? " at " + when : " to " + statement.action() + " " + statement.table() + " " + statement.pk();
        return new RestoreRefused(conflict ? 409 : 422, "Restore refused by the source database", "the source database refused"
                + where + ": " + message + " (SQLSTATE " + state + "); the whole restore was rolled back, nothing was written", details, e);
    }

    private static void put(Map<String, Object> details, String key, String value) {
        if (value != null) {
            details.put(key, value);
        }
    }
}
