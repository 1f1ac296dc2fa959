package io.datamanager.runtime;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The local stack's own PostgreSQL 17 (embedded binaries), with its data under {@code <data-dir>/postgres}, so
 * a stop and a start keep every database, the replication slot and the history. It always holds the history
 * database {@code dm_history}; without {@code --dsn} also the demo database {@code shop} that is captured.
 * Listens on 127.0.0.1 only, with logical replication on and synchronous commits (the barrier's
 * {@code pg_current_wal_lsn()} is then at or past each commit).
 */
public final class LocalPostgres implements AutoCloseable {
    public static final String USER = "postgres";
    private final EmbeddedPostgres server;
    private final Path dataDir;

    private LocalPostgres(EmbeddedPostgres server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
    }

    /**
     * Starts PostgreSQL on {@code dataDir}, with the binaries unpacked under {@code binaries} first when they are
     * not there yet (said on {@code progress}).
     */
    public static LocalPostgres start(Path dataDir, int port, Path binaries, java.util.function.Consumer<String> progress) {
        Path log = dataDir.resolveSibling("logs").resolve("postgres.log");
        PgBinaries.prepare(binaries, progress);
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres server = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(binaries.toFile())
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "10")
                    .setServerConfig("max_wal_senders", "10")
                    .setServerConfig("max_connections", "200")
                    // zonky turns synchronous commits off; the barrier's pg_current_wal_lsn() needs them on
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "on")
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            return new LocalPostgres(server, dataDir);
        } catch (IllegalStateException e) {
            if (String.valueOf(e.getMessage()).contains("could not lock")) {
                throw new IllegalStateException("another process uses this data directory's PostgreSQL (./datamanager db or up?)", e);
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("the embedded PostgreSQL did not start (see " + log
                    + "); is port " + port + " free?", e);
        }
    }

    /** The postmaster (pg_ctl starts it, so it is not a child of this process), by the pid in its postmaster.pid. */
    public ProcessHandle postmaster() {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("PostgreSQL (pid " + pid + ") ended just after it started; see "
                    + dataDir.resolveSibling("logs").resolve("postgres.log")));
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalStateException) {
                throw (IllegalStateException) e;
            }
            throw new IllegalStateException("cannot read PostgreSQL's pid from " + pidFile + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getPort();
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, "");
    }

    /** Creates the database unless it exists; true when it was created. */
    public boolean ensureDatabase(String name) throws SQLException {
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("not a database name this stack creates: " + name);
        }
        try (Connection c = connect("postgres")) {
            try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, name);
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        return false;
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
