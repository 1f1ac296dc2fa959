package io.datamanager.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The workloads every stage drains, each on a table of its own, written while every consumer is stopped. A change is
 * one row version: an insert or an update.
 */
enum Workload {
    /** Inserts then updates of the same rows, 100 rows a transaction (the measurement). */
    W1("bench_w1", "100-row transactions: inserts, then updates of the same rows"),
    /** Inserts then updates, one row a transaction. */
    W2("bench_w2", "1-row transactions: inserts, then updates of the same rows"),
    /** Rows with an 8-20 kB text (TOASTed), then updates of which three in four leave that text unchanged. */
    W3("bench_w3", "10-row transactions: rows with an 8-20 kB text, then 4 updates each, 3 of 4 leaving the text unchanged");

    final String table;
    final String description;

    Workload(String table, String description) {
        this.table = table;
        this.description = description;
    }

    String qualified() {
        return "public." + table;
    }

    void create(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (this == W3) {
                s.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, status text NOT NULL, counter integer NOT NULL, body text NOT NULL)");
            } else {
                s.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, status text NOT NULL, amount numeric(12,2) NOT NULL, "
                        + "note text, updated_at timestamptz NOT NULL DEFAULT now())");
            }
        }
    }

    /**
     * Writes {@code changes} changes (rounded to what the workload's shape allows; the count written is returned).
     * The writers turn synchronous commit off for their sessions: only how fast the benchmark writes changes, not what
     * the WAL holds.
     */
    long write(Platform platform, int changes) throws Exception {
        return switch (this) {
            case W1 -> writeBatched(platform, changes / 200 * 100, 100);
            case W2 -> writeSingles(platform, changes / 2);
            case W3 -> writeToasted(platform, Math.max(10, changes / 5 / 10 * 10));
        };
    }

    private long writeBatched(Platform platform, int rows, int perTx) throws SQLException {
        try (Connection c = writer(platform); Statement s = c.createStatement()) {
            for (int from = 1; from <= rows; from += perTx) {
                int to = Math.min(rows, from + perTx - 1);
                s.execute("INSERT INTO " + table + " (id, status, amount, note) SELECT g, 'new', g * 1.5, 'order ' || g "
                        + "FROM generate_series(" + from + ", " + to + ") g");
            }
            for (int from = 1; from <= rows; from += perTx) {
                int to = Math.min(rows, from + perTx - 1);
                s.execute("UPDATE " + table + " SET status = 'paid', amount = amount + 1, updated_at = now() WHERE id BETWEEN " + from + " AND " + to);
            }
        }
        return 2L * rows;
    }

    private long writeSingles(Platform platform, int rows) throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (String sql : List.of("INSERT INTO " + table + " (id, status, amount, note) VALUES (?, 'new', ? * 1.5, 'order ' || ?)",
                    "UPDATE " + table + " SET status = 'paid', amount = amount + 1, updated_at = now() WHERE id = ?")) {
                List<Future<?>> parts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int first = t + 1;
                    long params = sql.chars().filter(ch -> ch == '?').count();
                    parts.add(pool.submit(() -> {
                        try (Connection c = writer(platform); PreparedStatement ps = c.prepareStatement(sql)) {
                            for (int id = first; id <= rows; id += threads) {
                                for (int p = 1; p <= params; p++) {
                                    ps.setInt(p, id);
                                }
                                ps.executeUpdate();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> part : parts) {
                    part.get();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return 2L * rows;
    }

    private long writeToasted(Platform platform, int rows) throws SQLException {
        SplittableRandom random = new SplittableRandom(42);
        try (Connection c = writer(platform)) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (id, status, counter, body) VALUES (?, 'new', 0, ?)")) {
                for (int id = 1; id <= rows; id++) {
                    insert.setInt(1, id);
                    insert.setString(2, text(random));
                    insert.executeUpdate();
                    if (id % 10 == 0) {
                        c.commit();
                    }
                }
                c.commit();
            }
            try (PreparedStatement small = c.prepareStatement("UPDATE " + table + " SET counter = counter + 1, status = ? WHERE id = ?");
                    PreparedStatement large = c.prepareStatement("UPDATE " + table + " SET counter = counter + 1, body = ? WHERE id = ?")) {
                int n = 0;
                for (int round = 0; round < 4; round++) {
                    for (int id = 1; id <= rows; id++) {
                        PreparedStatement ps = round == 2 ? large : small;
                        ps.setString(1, round == 2 ? text(random) : "step " + round);
                        ps.setInt(2, id);
                        ps.executeUpdate();
                        if (++n % 10 == 0) {
                            c.commit();
                        }
                    }
                }
                c.commit();
            }
        }
        return 5L * rows;
    }

    /** 8-20 kB of letters and digits: too random for PostgreSQL to compress inline, so it is stored out of line (TOAST). */
    private static String text(SplittableRandom random) {
        int length = 8_000 + random.nextInt(12_001);
        StringBuilder sb = new StringBuilder(length);
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private static Connection writer(Platform platform) throws SQLException {
        Connection c = platform.source();
        try (Statement s = c.createStatement()) {
            s.execute("SET synchronous_commit = off");
        }
        return c;
    }
}
