package io.datamanager.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A PostgreSQL server with {@code wal_level=logical}, started once per test JVM and shared: the address in
 * {@code DM_TEST_PG_URL} ({@code postgres://user:password@host:port}) when set, else a Testcontainers
 * PostgreSQL 17 where Docker runs, else embedded PostgreSQL 17 (zonky) on a free port. Each test class
 * takes a database of its own with {@link #createDatabase(String)}. Never the machine's own PostgreSQL.
 */
public final class TestPostgres {
    private static final Logger LOG = LoggerFactory.getLogger(TestPostgres.class);
    private static TestPostgres shared;

    private final String host;
    private final int port;
    private final String user;
    private final String password;

    private TestPostgres(String host, int port, String user, String password) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    public static synchronized TestPostgres shared() {
        if (shared == null) {
            shared = start();
            LOG.info("test PostgreSQL at {}:{}", shared.host, shared.port);
        }
        return shared;
    }

    private static TestPostgres start() {
        String external = System.getenv("DM_TEST_PG_URL");
        if (external != null && !external.isBlank()) {
            URI uri = URI.create(external);
            String[] userInfo = uri.getUserInfo() == null ? new String[] {"postgres", ""} : uri.getUserInfo().split(":", 2);
            return new TestPostgres(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), userInfo[0],
                    userInfo.length > 1 ? userInfo[1] : "");
        }
        if (Docker.available()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:17")
                    .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=40",
                            "-c", "max_wal_senders=40", "-c", "fsync=off");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "stop-test-postgres"));
            return new TestPostgres(container.getHost(), container.getMappedPort(5432), container.getUsername(),
                    container.getPassword());
        }
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "40")
                    .setServerConfig("max_wal_senders", "40")
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException e) {
                    LOG.warn("stopping embedded PostgreSQL failed", e);
                }
            }, "stop-test-postgres"));
            return new TestPostgres("127.0.0.1", pg.getPort(), "postgres", "postgres");
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start", e);
        }
    }

    /** Creates a database named {@code <prefix>_<random>} and returns its name. */
    public String createDatabase(String prefix) {
        String name = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        if (name.length() > 63) {
            name = name.substring(name.length() - 63).replaceFirst("^[^a-z]+", "d");
        }
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return name;
    }

    /** A database for one test class, named after it. */
    public String createDatabase(Class<?> testClass) {
        return createDatabase(testClass.getSimpleName());
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user, password);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }
}
