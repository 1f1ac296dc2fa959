package io.datamanager.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A light, steady write load whose every change can be audited: {@code heal_audit} holds {@value #ROWS} rows, each
 * update adds one to a row's {@code n}. A row's final {@code n} is so the count of its committed updates, and its
 * history must hold the versions {@code n = 0 .. final} exactly once each, whatever failed in between (an update whose
 * commit was cut off either counts in the row or not, and history must agree with the row).
 */
final class AuditLoad implements AutoCloseable {
    static final int ROWS = 20;
    static final String TABLE = "public.heal_audit";
    private final String jdbcUrl;
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean running = true;
    private final Thread thread;

    AuditLoad(String jdbcUrl, int perSecond) throws SQLException {
        this.jdbcUrl = jdbcUrl;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE heal_audit (id int PRIMARY KEY, n int NOT NULL)");
            s.execute("INSERT INTO heal_audit SELECT g, 0 FROM generate_series(1, " + ROWS + ") g");
        }
        long pauseMillis = 1000 / perSecond;
        thread = new Thread(() -> write(pauseMillis), "audit-load");
        thread.setDaemon(true);
        thread.start();
    }

    private void write(long pauseMillis) {
        Connection c = null;
        while (running) {
            try {
                if (c == null) {
                    c = connect();
                }
                attempts.incrementAndGet();
                try (PreparedStatement s = c.prepareStatement("UPDATE heal_audit SET n = n + 1 WHERE id = ?")) {
                    s.setInt(1, 1 + ThreadLocalRandom.current().nextInt(ROWS));
                    s.executeUpdate();
                }
            } catch (SQLException e) {
                failures.incrementAndGet(); // PostgreSQL is being restarted: connect again
                close(c);
                c = null;
            }
            try {
                Thread.sleep(pauseMillis); // pacing of the load, not waiting for a condition
            } catch (InterruptedException e) {
                break;
            }
        }
        close(c);
    }

    /** Each row's {@code n} as committed now. */
    Map<Integer, Integer> committed() throws SQLException {
        Map<Integer, Integer> rows = new HashMap<>();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, n FROM heal_audit")) {
            while (rs.next()) {
                rows.put(rs.getInt(1), rs.getInt(2));
            }
        }
        return rows;
    }

    long attempts() {
        return attempts.get();
    }

    long failures() {
        return failures.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
    }

    private Connection connect() throws SQLException {
        java.util.Properties props = new java.util.Properties();
        props.put("user", "postgres");
        props.put("password", "");
        props.put("connectTimeout", "2");
        props.put("socketTimeout", "5");
        return DriverManager.getConnection(jdbcUrl, props);
    }

    private static void close(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // broken already
        }
    }
}
