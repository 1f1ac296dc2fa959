package io.datamanager.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.LongSupplier;

/**
 * How many versions of a table a history database holds, from the per-table count the history-sink keeps in the same
 * transaction as the versions (no count over millions of rows), asked at most every 50 ms. Before the history-sink
 * made its schema the answer is 0.
 */
final class HistoryCount implements LongSupplier, AutoCloseable {
    private static final long EVERY_NANOS = 50_000_000L;
    private final Platform platform;
    private final String database;
    private final String table;
    private Connection connection;
    private long last;
    private long askedAt = System.nanoTime() - EVERY_NANOS;

    HistoryCount(Platform platform, String database, String table) {
        this.platform = platform;
        this.database = database;
        this.table = table;
    }

    @Override
    public long getAsLong() {
        if (System.nanoTime() - askedAt < EVERY_NANOS) {
            return last;
        }
        askedAt = System.nanoTime();
        try {
            if (connection == null) {
                connection = platform.connect(database);
            }
            try (PreparedStatement s = connection.prepareStatement("SELECT coalesce(sum(version_count), 0) FROM dm_table WHERE table_name = ?")) {
                s.setString(1, table);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    last = rs.getLong(1);
                }
            }
        } catch (SQLException notYet) {
            close(); // no schema yet, or the connection broke: ask again next time
        }
        return last;
    }

    /** The exact count of distinct versions stored, for the check that nothing was lost or doubled. */
    long distinctVersions() throws SQLException {
        try (Connection c = platform.connect(database);
                PreparedStatement s = c.prepareStatement("SELECT count(DISTINCT event_id) FROM dm_version WHERE table_name = ?")) {
            s.setString(1, table);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
            connection = null;
        }
    }
}
