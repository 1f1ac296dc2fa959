package io.datamanager.local;

import io.datamanager.runtime.LocalPostgres;
import io.datamanager.runtime.PgBinaries;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole platform on one machine: the local PostgreSQL (history, and the demo shop without {@code --dsn}), a
 * real Kafka broker in KRaft mode, Redis when this machine has {@code redis-server}, capture (Debezium Server, run as
 * its container image runs it, with {@code connector-config/debezium} as its configuration), streams-app,
 * history-sink and notify-gateway as child processes. Everything keeps its data under the data directory, so a
 * stop and a start lose nothing: Kafka keeps its topics and offsets, PostgreSQL its replication slot, which
 * holds every change made while the stack was down until capture reads it. Children end with this process. Once
 * ready, a {@link Supervisor} starts again in place whichever part dies.
 */
final class LocalStack implements AutoCloseable {
    static final String PREFIX = "dm";
    static final String HISTORY_DATABASE = "dm_history";
    /** The replication slot and publication capture uses (its defaults, DM_SLOT_NAME and DM_PUBLICATION_NAME). */
    static final String SLOT = "dm_slot";
    static final String PUBLICATION = "dm_publication";
    /** Debezium Server's JVM: the same heap and collector the services get. */
    private static final String CAPTURE_JAVA_OPTS = String.join(" ", io.datamanager.runtime.ServiceProcess.JVM_OPTIONS);

    /**
     * @param home the repository (the services' jars are under it)
     * @param dsn the database to capture; null for the demo shop
     * @param redisUrl a Redis of the user's; null to run one when the machine has redis-server
     * @param newToken make a new API token instead of the one kept in the data directory
     */
    record Options(Path home, Path dataDir, Ports ports, Dsn dsn, String redisUrl, boolean activity, boolean newToken) {}

    private final Options options;
    private final PrintStream out;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    /** The supervised parts, in the order they started. */
    private final List<Part> parts = new ArrayList<>();
    private final String historyToken = random(24);
    private String token;
    private Instant startedAt;
    private Instant readyAt;
    private Supervisor supervisor;
    private volatile LocalPostgres pg;
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
        token = ApiToken.load(data, options.newToken());
        startedAt = Instant.now();
        writeRunFile();
        out.println("datamanager local stack, data in " + data);

        step("postgres", () -> {
            supervise(Part.start("postgres", () -> {
                LocalPostgres server = LocalPostgres.start(data.resolve("postgres"), options.ports().postgres(), PgBinaries.defaultDir(),
                        line -> out.println("    " + line));
                pg = server;
                return Part.Instance.other(server.postmaster(), server);
            }));
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
        String bootstrap = "127.0.0.1:" + options.ports().kafka();
        step("kafka", () -> {
            supervise(Part.start("kafka", () -> {
                KafkaBroker broker = KafkaBroker.start(data.resolve("kafka"), options.ports().kafka(), options.ports().controller(),
                        Duration.ofSeconds(120));
                return Part.Instance.child(broker.process(), broker);
            }));
            return bootstrap + " (KRaft)";
        });
        startRedis();

        Path captureLog = data.resolve("logs/capture.log");
        Part[] captured = new Part[1];
        step("capture", () -> {
            captured[0] = supervise(Part.start("capture", this::startCapture));
            return "slot " + SLOT + " on " + source + ", http://127.0.0.1:" + options.ports().capture();
        });
        Part capture = captured[0];
        Part streams = supervise(service("streams-app", streamsEnv(bootstrap), options.ports().streams()));
        Part history = supervise(service("history-sink", historyEnv(bootstrap), options.ports().history()));
        Part gateway = supervise(service("notify-gateway", gatewayEnv(bootstrap), options.ports().gateway()));
        step("streams-app", () -> ready(streams, options.ports().streams()));
        step("history-sink", () -> ready(history, options.ports().history()));
        step("notify-gateway", () -> ready(gateway, options.ports().gateway()));
        step("snapshot", () -> {
            try (Connection c = connectSource()) {
                Readiness.awaitStreaming(bootstrap, PREFIX, c, out, capture::isAlive, captureLog.toString());
            }
            return "capture is streaming";
        });
        if (demo != null) {
            if (freshDemo) {
                demo.makeTheMistake();
                Readiness.await("the mistaken delete in history", Duration.ofSeconds(60), gateway::isAlive, data.resolve("logs/notify-gateway.log").toString(),
                        () -> Readiness.historyHas(options.ports().history(), historyToken, "public.orders", DemoShop.MISTAKEN_ORDER, "delete"));
            }
            if (options.activity()) {
                demo.startActivity();
            }
        }
        readyAt = Instant.now();
        RunFile run = writeRunFile();
        out.printf("%ndatamanager is up: ready in %.1f s%n", (System.nanoTime() - began) / 1e9);
        Summary.print(out, run, source, demo != null, options.activity(), connectSource(), options.dataDir());
        supervisor = new Supervisor(parts, out, this::writeRunFile);
        supervisor.start();
        return run;
    }

    /** Writes what status, down and example read: again whenever a part got a new pid. */
    private synchronized RunFile writeRunFile() {
        Map<String, Long> components = new LinkedHashMap<>();
        parts.forEach(part -> components.put(part.name(), part.pid()));
        RunFile run = new RunFile(ProcessHandle.current().pid(), "http://127.0.0.1:" + options.ports().gateway(), token, options.ports(),
                source == null ? null : source.jdbcUrl(), source == null ? null : source.user(), source == null ? null : source.password(),
                redisUrl, startedAt, readyAt, components);
        run.write(options.dataDir());
        return run;
    }

    /** Stopped with the stack, and started again by the supervisor once the stack is ready. */
    private Part supervise(Part part) {
        started.push(part);
        synchronized (this) {
            parts.add(part);
        }
        return part;
    }

    /**
     * Capture, ready once its replication slot exists (the first start creates it) or, when it did already, once the
     * slot is in use again: a capture started anew connects within seconds, or dies.
     */
    private Part.Instance startCapture() {
        boolean slotWasThere = slotExists();
        CaptureServer capture = CaptureServer.start(CaptureServer.Layout.of(options.home()), options.dataDir().resolve("capture"),
                captureEnv("127.0.0.1:" + options.ports().kafka()), options.dataDir().resolve("logs/capture.log"), options.ports().capture(),
                CAPTURE_JAVA_OPTS);
        try {
            Readiness.await("capture", Duration.ofSeconds(180), capture::isAlive, capture.log().toString(),
                    () -> capture.live() && (slotWasThere ? slotActive() : slotExists()));
        } catch (RuntimeException e) {
            capture.close();
            throw e;
        }
        return Part.Instance.child(capture.process(), capture);
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

    /** A service started now (the three start side by side); when it dies, started again and waited for. */
    private Part service(String module, Map<String, String> env, int port) {
        Path jar = options.home().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        Path log = options.dataDir().resolve("logs").resolve(module + ".log");
        ServiceProcess first = ServiceProcess.start(jar, env, log);
        return Part.of(module, Part.Instance.child(first.process(), first), () -> {
            ServiceProcess again = ServiceProcess.start(jar, env, log);
            Part.Instance instance = Part.Instance.child(again.process(), again);
            try {
                awaitReady(module, again::isAlive, log, port);
            } catch (RuntimeException e) {
                again.close();
                throw e;
            }
            return instance;
        });
    }

    private String ready(Part part, int port) {
        Path log = options.dataDir().resolve("logs").resolve(part.name() + ".log");
        awaitReady(part.name(), part::isAlive, log, port);
        return "http://127.0.0.1:" + port;
    }

    /** The service answers its readiness check; streams-app also has its partitions and processes them. */
    private static void awaitReady(String name, java.util.function.BooleanSupplier alive, Path log, int port) {
        Readiness.await(name, Duration.ofSeconds(180), alive, log.toString(), () -> Readiness.healthy(port));
        if (name.equals("streams-app")) {
            Readiness.await("streams-app's partitions", Duration.ofSeconds(180), alive, log.toString(), () -> Readiness.streamsRunning(port));
        }
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
        env.put("DM_HISTORY_INSTANCE_ID", "dm-history-local"); // a restarted sink takes its partitions back at once
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
        env.put("DM_GATEWAY_INSTANCE_ID", "dm-gateway-local"); // a restarted gateway takes its partitions back at once
        env.put("DM_HISTORY_URL", "http://127.0.0.1:" + options.ports().history());
        env.put("DM_HISTORY_TOKEN", historyToken);
        // the console's pipeline page asks these too (Kafka and the history-sink it knows already)
        env.put("DM_GATEWAY_HEALTH_URLS", "capture=http://127.0.0.1:" + options.ports().capture()
                + ",streams-app=http://127.0.0.1:" + options.ports().streams());
        env.put("DM_ALLOW_LOOPBACK_WEBHOOKS", "true"); // receivers of a local stack run on this machine
        if (redisUrl != null) {
            env.put("DM_REDIS_URL", redisUrl);
        }
        return env;
    }

    /** The key of redacted history values: made once per data directory and kept, or redacted values stop matching. */
    private String redactionKey() throws IOException {
        return Secrets.kept(options.dataDir().resolve("redaction.key"), () -> random(32), false);
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

    /** A capture reads from the slot now. */
    private boolean slotActive() {
        try (Connection c = connectSource();
                PreparedStatement s = slotQuery(c, "SELECT active FROM pg_replication_slots WHERE slot_name = ?");
                ResultSet rs = s.executeQuery()) {
            return rs.next() && rs.getBoolean(1);
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
        if (supervisor != null) {
            supervisor.stop();
        }
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

    static String random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
