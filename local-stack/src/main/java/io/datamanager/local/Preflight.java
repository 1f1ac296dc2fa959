package io.datamanager.local;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Checks a database before capture starts on it, so a user learns in one sentence what to change instead of
 * reading a Debezium stack trace: it can be reached, speaks pgoutput, has {@code wal_level=logical}, lets the
 * user replicate, has a free replication slot and WAL sender, has (or lets the user create) the publication,
 * and which tables would lose their updates and deletes for want of a key.
 */
public final class Preflight {

    /** One finding; {@code blocking} ones stop {@code up}. */
    public record Finding(boolean blocking, String problem, String fix) {
        @Override
        public String toString() {
            return (blocking ? "FAIL " : "WARN ") + problem + ". Fix: " + fix;
        }
    }

    private Preflight() {}

    public static List<Finding> check(Dsn dsn, String slot, String publication) {
        List<Finding> findings = new ArrayList<>();
        Properties credentials = new Properties();
        credentials.setProperty("user", dsn.user());
        credentials.setProperty("password", dsn.password());
        credentials.setProperty("connectTimeout", "10");
        try (Connection c = DriverManager.getConnection(dsn.jdbcUrl(), credentials)) {
            check(c, dsn.user(), slot, publication, findings);
        } catch (SQLException e) {
            findings.add(new Finding(true, "cannot connect to " + dsn + ": " + e.getMessage(),
                    "check host, port, database, user and password, and that pg_hba.conf lets this machine in"));
        }
        return findings;
    }

    static void check(Connection c, String user, String slot, String publication, List<Finding> findings) throws SQLException {
        if (Integer.parseInt(one(c, "SELECT current_setting('server_version_num')")) < 100_000) {
            findings.add(new Finding(true, "PostgreSQL " + one(c, "SELECT current_setting('server_version')") + " has no pgoutput",
                    "upgrade to PostgreSQL 10 or newer (14 or newer is best)"));
            return;
        }
        String walLevel = one(c, "SELECT current_setting('wal_level')");
        if (!"logical".equals(walLevel)) {
            findings.add(new Finding(true, "wal_level is " + walLevel + ", capture needs logical",
                    "run ALTER SYSTEM SET wal_level = logical; as a superuser, then restart PostgreSQL"));
        }
        boolean superuser = "t".equals(one(c, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
        boolean replication = superuser || "t".equals(one(c, "SELECT rolreplication FROM pg_roles WHERE rolname = current_user"))
                || "t".equals(one(c, "SELECT pg_has_role(current_user, 'rds_replication', 'member') "
                        + "WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_replication')"));
        if (!replication) {
            findings.add(new Finding(true, "user " + user + " may not read the replication stream",
                    "run ALTER ROLE " + user + " WITH REPLICATION; as a superuser (connector-config/sql/source-bootstrap.sql does it all)"));
        }
        checkSlot(c, slot, findings);
        int senders = Integer.parseInt(one(c, "SELECT current_setting('max_wal_senders')"));
        int sending = Integer.parseInt(one(c, "SELECT count(*) FROM pg_stat_replication"));
        if (sending >= senders) {
            findings.add(new Finding(true, "all " + senders + " WAL senders are in use",
                    "raise max_wal_senders (ALTER SYSTEM SET max_wal_senders = " + (senders + 2) + ";) and restart PostgreSQL"));
        }
        boolean published = "1".equals(oneOrNull(c, "SELECT 1 FROM pg_publication WHERE pubname = ?", publication));
        if (!published && !superuser) {
            findings.add(new Finding(true, "the publication " + publication + " does not exist and " + user
                    + " cannot create one for all tables", "run connector-config/sql/source-bootstrap.sql as a superuser, which creates it"));
        }
        List<String> keyless = keylessTables(c);
        if (!keyless.isEmpty()) {
            findings.add(new Finding(false, keyless.size() + " table(s) without a primary key would have their updates and deletes "
                    + "missed: " + String.join(", ", keyless.subList(0, Math.min(10, keyless.size()))),
                    "give each a primary key, or run ALTER TABLE <table> REPLICA IDENTITY FULL;"));
        }
        if ("off".equals(one(c, "SELECT current_setting('synchronous_commit')"))) {
            findings.add(new Finding(false, "synchronous_commit is off, so pg_current_wal_lsn() can be behind a commit",
                    "wait on the barrier with pg_current_wal_insert_lsn() instead"));
        }
    }

    private static void checkSlot(Connection c, String slot, List<Finding> findings) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, slot);
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    if (rs.getObject(1) != null) {
                        findings.add(new Finding(true, "the replication slot " + slot + " is in use by another process (pid "
                                + rs.getLong(1) + ")", "stop the other capture, or set DM_SLOT_NAME to a slot of its own"));
                    }
                    return; // ours, from an earlier run: capture resumes from it
                }
            }
        }
        int slots = Integer.parseInt(one(c, "SELECT current_setting('max_replication_slots')"));
        int used = Integer.parseInt(one(c, "SELECT count(*) FROM pg_replication_slots"));
        if (used >= slots) {
            findings.add(new Finding(true, "all " + slots + " replication slots are in use",
                    "raise max_replication_slots and restart PostgreSQL, or drop an unused slot with SELECT pg_drop_replication_slot('<name>');"));
        }
    }

    private static List<String> keylessTables(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                SELECT n.nspname || '.' || t.relname FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE t.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
                  AND t.relreplident <> 'f'
                  AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = t.oid AND (i.indisprimary OR (i.indisreplident AND t.relreplident = 'i')))
                ORDER BY 1""");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static String oneOrNull(Connection c, String sql, String parameter) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, parameter);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
