package io.datamanager.bench;

import io.datamanager.runtime.LocalPostgres;
import io.datamanager.runtime.PgBinaries;
import io.datamanager.runtime.RedisServer;
import io.datamanager.runtime.kafka.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * The servers every stage shares in one run, started as the local stack starts them: the local stack's durable
 * PostgreSQL (fsync and synchronous commit on) holding the source database and the history, one Kafka broker
 * (test-support's, with its settings) and a durable redis-server. The source database has one publication of
 * every table; each consumer gets its own replication slot, created before anything is written.
 */
final class Platform implements AutoCloseable {
    static final String SOURCE_DB = "bench";
    static final String PUBLICATION = "dm_publication";

    private final Path work;
    private LocalPostgres pg;
    private KafkaBroker broker;
    private RedisServer redis;

    private Platform(Path work) {
        this.work = work;
    }

    /** Starts PostgreSQL, Kafka and Redis under {@code work}; with {@code statements}, PostgreSQL loads pg_stat_statements. */
    static Platform start(Path work, List<String> jvmOptions, java.util.Map<String, String> brokerConfig, boolean statements) throws Exception {
        Platform p = new Platform(work);
        try {
            Files.createDirectories(work.resolve("logs"));
            int pgPort = io.datamanager.runtime.FreePorts.pick();
            p.pg = LocalPostgres.start(work.resolve("postgres"), pgPort, PgBinaries.defaultDir(), line -> System.out.println("  " + line));
            if (statements) {
                try (Connection c = p.pg.connect("postgres"); Statement s = c.createStatement()) {
                    s.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
                    s.execute("ALTER SYSTEM SET pg_stat_statements.max = 1000");
                }
                p.pg.close(); // the library loads only at start
                p.pg = LocalPostgres.start(work.resolve("postgres"), pgPort, PgBinaries.defaultDir(), line -> { });
                try (Connection c = p.pg.connect("postgres"); Statement s = c.createStatement()) {
                    s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                }
            }
            p.pg.ensureDatabase(SOURCE_DB);
            try (Connection c = p.source(); Statement s = c.createStatement()) {
                s.execute("CREATE PUBLICATION " + PUBLICATION + " FOR ALL TABLES");
            }
            p.broker = KafkaBroker.start(work.resolve("kafka"), io.datamanager.runtime.FreePorts.pick(), io.datamanager.runtime.FreePorts.pick(), Duration.ofSeconds(120), jvmOptions, brokerConfig);
            p.redis = RedisServer.start(RedisServer.binary(), io.datamanager.runtime.FreePorts.pick(), work.resolve("redis"), true);
            return p;
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
    }

    /** A logical replication slot (pgoutput) at the current end of the WAL: its consumer reads everything written after. */
    void createSlot(String name) throws SQLException {
        try (Connection c = source(); PreparedStatement s = c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
            s.setString(1, name);
            s.execute();
        }
    }

    Connection source() throws SQLException {
        return pg.connect(SOURCE_DB);
    }

    Connection connect(String database) throws SQLException {
        return pg.connect(database);
    }

    String createDatabase(String name) throws SQLException {
        pg.ensureDatabase(name);
        return name;
    }

    String jdbcUrl(String database) {
        return pg.jdbcUrl(database);
    }

    int pgPort() {
        return pg.port();
    }

    String bootstrap() {
        return broker.bootstrapServers();
    }

    String redisUrl() {
        return redis.url();
    }

    int redisPort() {
        return redis.port();
    }

    long brokerPid() {
        return broker.pid();
    }

    /** The postmaster's pid, from the first line of postmaster.pid. */
    long postgresPid() {
        try {
            return Long.parseLong(Files.readAllLines(work.resolve("postgres/postmaster.pid")).get(0).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String postgresVersion() {
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return "unknown";
        }
    }


    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (pg != null) {
            try {
                pg.close();
            } catch (IOException e) {
                System.err.println("stopping PostgreSQL failed: " + e);
            }
        }
    }
}
