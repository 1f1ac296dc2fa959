package io.datamanager.local;

import io.datamanager.runtime.CaptureServer;
import io.datamanager.runtime.RedisServer;
import io.datamanager.runtime.ServiceProcess;
import io.datamanager.runtime.kafka.KafkaBroker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole platform on one machine: the local PostgreSQL (history, and the demo shop without {@code --dsn}), a
 * real Kafka broker in KRaft mode, Redis when this machine has {@code redis-server}, capture (Debezium Server, run as
 * its container image runs it, with {@code connector-config/debezium} as its configuration), streams-app,
 * history-sink and notify-gateway as child processes. Everything keeps its data under the data directory, so a
 * stop and a start lose nothing: Kafka keeps its topics and offsets, PostgreSQL its replication slot, which
 * holds every change made while the stack was down until capture reads it. Children end with this process.
 */
final class LocalStack implements AutoCloseable {
    static final String PREFIX = "dm";
    static final String HISTORY_DATABASE = "dm_history";
    /** The replication slot and publication capture uses (its defaults, DM_SLOT_NAME and DM_PUBLICATION_NAME). */
    static final String SLOT = "dm_slot";
    static final String PUBLICATION = "dm_publication";
    /** Debezium Server's JVM: the same heap and collector the services get. */
    private static final String CAPTURE_JAVA_OPTS = "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    /**
     * @param home the repository (the services' jars are under it)
     * @param dsn the database to capture; null for the demo shop
     * @param redisUrl a Redis of the user's; null to run one when the machine has redis-server
     */
    record Options(Path home, Path dataDir, Ports ports, Dsn dsn, String redisUrl, boolean activity) {}

    private final Options options;
    private final PrintStream out;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Map<String, Long> components = new LinkedHashMap<>();
    private final String token = "dm_" + random(24);
    private final String historyToken = random(24);
    private LocalPostgres pg;
    private Dsn source;
    private DemoShop demo;
    private String redisUrl;

    LocalStack(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Starts every part in order and returns once the API answers and capture streams. */
    RunFile start() throws Exception {
        long began = System.nanoTime();
        Path data = options.dataDir();
        Files.createDirectories(data.resolve("logs"));
        Instant startedAt = Instant.now();
        runFile(startedAt, null).write(data);
        out.println("datamanager local stack, data in " + data);

        step("postgres", () -> {
            pg = LocalPostgres.start(data.resolve("postgres"), options.ports().postgres(), PgBinaries.defaultDir(), line -> out.println("    " + line));
            started.push(pg);
            pg.ensureDatabase(HISTORY_DATABASE);
            return "127.0.0.1:" + pg.port() + (options.dsn() == null ? ", demo database " + DemoShop.DATABASE : ", history only");
        });
        boolean freshDemo = false;
        if (options.dsn() == null) {
            demo = new DemoShop(pg);
            freshDemo = demo.ensure();
            source = new Dsn("127.0.0.1", pg.port(), DemoShop.DATABASE, LocalPostgres.USER, "", "disable");
        } else {
            source = options.dsn();
            step("preflight", () -> preflight(source));
        }
        KafkaBroker[] broker = new KafkaBroker[1];
        step("kafka", () -> {
            broker[0] = KafkaBroker.start(data.resolve("kafka"), options.ports().kafka(), options.ports().controller(), Duration.ofSeconds(120));
            started.push(broker[0]);
            components.put("kafka", broker[0].pid());
            return broker[0].bootstrapServers() + " (KRaft)";
        });
        String bootstrap = broker[0].bootstrapServers();
        startRedis();

        CaptureServer capture = CaptureServer.start(CaptureServer.Layout.of(options.home()), data.resolve("capture"), captureEnv(bootstrap),
                data.resolve("logs/capture.log"), options.ports().capture(), CAPTURE_JAVA_OPTS);
        started.push(capture);
        components.put("capture", capture.pid());
        step("capture", () -> {
            Readiness.await("capture", Duration.ofSeconds(180), capture::isAlive, capture.log().toString(),
                    () -> capture.live() && slotExists());
            return "slot " + SLOT + " on " + source + ", http://127.0.0.1:" + capture.httpPort();
        });
        ServiceProcess streams = service("streams-app", streamsEnv(bootstrap));
        ServiceProcess history = service("history-sink", historyEnv(bootstrap));
        ServiceProcess gateway = service("notify-gateway", gatewayEnv(bootstrap));
        step("streams-app", () -> {
            String url = ready(streams, "streams-app", options.ports().streams());
            Readiness.await("streams-app's partitions", Duration.ofSeconds(180), streams::isAlive, streams.log().toString(),
                    () -> Readiness.streamsRunning(options.ports().streams()));
            return url;
        });
        step("history-sink", () -> ready(history, "history-sink", options.ports().history()));
        step("notify-gateway", () -> ready(gateway, "notify-gateway", options.ports().gateway()));
        step("snapshot", () -> {
            try (Connection c = connectSource()) {
                Readiness.awaitStreaming(bootstrap, PREFIX, c, out, capture::isAlive, capture.log().toString());
            }
            return "capture is streaming";
        });
        if (demo != null) {
            if (freshDemo) {
                demo.makeTheMistake();
                Readiness.await("the mistaken delete in history", Duration.ofSeconds(60), gateway::isAlive, gateway.log().toString(),
                        () -> Readiness.historyHas(options.ports().history(), historyToken, "public.orders", DemoShop.MISTAKEN_ORDER, "delete"));
            }
            if (options.activity()) {
                demo.startActivity();
            }
        }
        RunFile run = runFile(startedAt, Instant.now());
        run.write(data);
        out.printf("%ndatamanager is up: ready in %.1f s%n", (System.nanoTime() - began) / 1e9);
        Summary.print(out, run, source, demo != null, options.activity(), connectSource(), options.dataDir());
        return run;
    }

    private RunFile runFile(Instant startedAt, Instant readyAt) {
        return new RunFile(ProcessHandle.current().pid(), "http://127.0.0.1:" + options.ports().gateway(), token, options.ports(),
                source == null ? null : source.jdbcUrl(), source == null ? null : source.user(), source == null ? null : source.password(),
                redisUrl, startedAt, readyAt, components);
    }

    private void startRedis() throws Exception {
        if (options.redisUrl() != null) {
            redisUrl = options.redisUrl();
            out.printf("  %-15s %s (yours)%n", "redis", redisUrl.replaceAll("//[^@]*@", "//"));
        } else if (RedisServer.binaryAvailable()) {
            step("redis", () -> {
                RedisServer redis = RedisServer.start(RedisServer.binary(), options.ports().redis(), options.dataDir().resolve("redis"), true);
                started.push(redis);
                redisUrl = redis.url();
                return redisUrl;
            });
        } else {
            out.printf("  %-15s off: this machine has no redis-server (install it, or pass --redis redis://host:port)%n", "redis");
        }
    }

    private String preflight(Dsn dsn) {
        var findings = Preflight.check(dsn, SLOT, PUBLICATION);
        findings.forEach(f -> out.println("    " + f));
        if (findings.stream().anyMatch(Preflight.Finding::blocking)) {
            throw new IllegalStateException("the database is not ready for capture: fix what FAIL says above and run up again");
        }
        return dsn + " is ready for capture";
    }

    private ServiceProcess service(String module, Map<String, String> env) {
        Path jar = options.home().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        ServiceProcess service = ServiceProcess.start(jar, env, options.dataDir().resolve("logs").resolve(module + ".log"));
        started.push(service);
        return service;
    }

    private String ready(ServiceProcess service, String name, int port) {
        Readiness.await(name, Duration.ofSeconds(180), service::isAlive, service.log().toString(), () -> Readiness.healthy(port));
        components.put(name, service.pid());
        return "http://127.0.0.1:" + port;
    }

    private Map<String, String> captureEnv(String bootstrap) {
        Map<String, String> env = new HashMap<>();
        env.put("DM_PG_HOST", source.host());
        env.put("DM_PG_PORT", Integer.toString(source.port()));
        env.put("DM_PG_DATABASE", source.database());
        env.put("DM_PG_USER", source.user());
        env.put("DM_PG_PASSWORD", source.password());
        env.put("DM_PG_SSLMODE", source.sslmode());
        env.put("DM_KAFKA_BOOTSTRAP", bootstrap);
        env.put("DM_TOPIC_PREFIX", PREFIX);
        env.put("JMX_EXPORTER_PORT", Integer.toString(options.ports().captureMetrics())); // Debezium Server's Prometheus metrics
        return env;
    }

    private Map<String, String> streamsEnv(String bootstrap) {
        return Map.of("DM_KAFKA_BOOTSTRAP", bootstrap, "DM_TOPIC_PREFIX", PREFIX,
                "DM_STREAMS_STATE_DIR", options.dataDir().resolve("streams").toString(),
                "DM_STREAMS_HTTP_PORT", Integer.toString(options.ports().streams()), "DM_STREAMS_METADATA_MAX_AGE_MS", "1000",
                "DM_STREAMS_INSTANCE_ID", "dm-streams-local");
    }

    private Map<String, String> historyEnv(String bootstrap) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("DM_KAFKA_BOOTSTRAP", bootstrap);
        env.put("DM_TOPIC_PREFIX", PREFIX);
        env.put("DM_HISTORY_DB_URL", pg.jdbcUrl(HISTORY_DATABASE));
        env.put("DM_HISTORY_DB_USER", LocalPostgres.USER);
        env.put("DM_HISTORY_DB_PASSWORD", "");
        env.put("DM_API_TOKENS", historyToken);
        env.put("DM_HISTORY_HTTP_PORT", Integer.toString(options.ports().history()));
        env.put("DM_RESTORE_JDBC_URL", source.jdbcUrl());
        env.put("DM_RESTORE_USER", source.user());
        env.put("DM_RESTORE_PASSWORD", source.password());
        env.put("DM_REDACTION_KEY", redactionKey());
        return env;
    }

    private Map<String, String> gatewayEnv(String bootstrap) {
        Map<String, String> env = new HashMap<>();
        env.put("DM_KAFKA_BOOTSTRAP", bootstrap);
        env.put("DM_TOPIC_PREFIX", PREFIX);
        env.put("DM_GATEWAY_TOKENS", token + ":write");
        env.put("DM_GATEWAY_HTTP_PORT", Integer.toString(options.ports().gateway()));
        env.put("DM_HISTORY_URL", "http://127.0.0.1:" + options.ports().history());
        env.put("DM_HISTORY_TOKEN", historyToken);
        env.put("DM_ALLOW_LOOPBACK_WEBHOOKS", "true"); // receivers of a local stack run on this machine
        if (redisUrl != null) {
            env.put("DM_REDIS_URL", redisUrl);
        }
        return env;
    }

    /** The key of redacted history values: made once per data directory and kept, or redacted values stop matching. */
    private String redactionKey() throws IOException {
        Path file = options.dataDir().resolve("redaction.key");
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, random(32));
        }
        return Files.readString(file).trim();
    }

    private boolean slotExists() {
        try (Connection c = connectSource();
                PreparedStatement s = slotQuery(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?");
                ResultSet rs = s.executeQuery()) {
            return rs.next();
        } catch (Exception e) {
            return false;
        }
    }

    /** A statement whose one parameter is the slot's name. */
    static PreparedStatement slotQuery(Connection c, String sql) throws java.sql.SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        s.setString(1, SLOT);
        return s;
    }

    Connection connectSource() throws java.sql.SQLException {
        return DriverManager.getConnection(source.jdbcUrl(), source.user(), source.password());
    }

    @FunctionalInterface
    private interface Step {
        String run() throws Exception;
    }

    private void step(String name, Step step) throws Exception {
        long began = System.nanoTime();
        String detail = step.run();
        out.printf("  %-15s ready in %5.1f s  %s%n", name, (System.nanoTime() - began) / 1e9, detail);
    }

    /** Stops everything in the reverse order of starting: the API first, capture before Kafka, PostgreSQL last. */
    @Override
    public void close() {
        if (demo != null) {
            try {
                demo.stopActivity();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        while (!started.isEmpty()) {
            AutoCloseable part = started.pop();
            try {
                part.close();
            } catch (Exception e) {
                out.println("stopping " + part.getClass().getSimpleName() + " failed: " + e);
            }
        }
        RunFile.remove(options.dataDir());
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
