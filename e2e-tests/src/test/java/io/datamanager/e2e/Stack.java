package io.datamanager.e2e;

import com.sun.net.httpserver.HttpServer;
import io.datamanager.testsupport.CaptureEnvironment;
import io.datamanager.runtime.CaptureServer;
import io.datamanager.runtime.ServiceProcess;
import io.datamanager.testsupport.TestKafka;
import io.datamanager.testsupport.TestPostgres;
import io.datamanager.testsupport.TestRedis;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;

/**
 * The platform as processes: capture, streams-app and notify-gateway from their built jars (with a
 * history-sink behind the gateway when asked), real PostgreSQL, Kafka and Redis (durable, so it can crash
 * and come back), and a webhook receiver on loopback that records what it gets.
 */
final class Stack implements AutoCloseable {
    record Delivery(Map<String, String> headers, byte[] body, Instant receivedAt) {}

    final String prefix = "e2" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    final String token = "e2e-" + UUID.randomUUID();
    /** A token with the read scope only. */
    final String readToken = "e2e-read-" + UUID.randomUUID();
    final TestPostgres pg = TestPostgres.shared();
    final String bootstrap = TestKafka.shared().bootstrapServers();
    final String database = pg.createDatabase("e2e_src");
    final Map<String, List<Delivery>> received = new ConcurrentHashMap<>();
    final TestRedis redis = TestRedis.start(true);
    final String streamsGroup = "dm-streams-" + prefix;
    final HttpServer receiver;
    final Path work;
    private final CaptureServer capture;
    private final ServiceProcess streams;
    private ServiceProcess gateway;
    private ServiceProcess history;
    private final Map<String, String> gatewayHistory = new HashMap<>();
    /** The history-sink's database, when the stack has one. */
    String historyDatabase;
    private final int gatewayPort;
    private final HttpClient http = HttpClient.newHttpClient();

    Stack() throws Exception {
        this(false);
    }

    /** With {@code withHistory}, a history-sink connected to the source database, behind the gateway (which then checks tables). */
    Stack(boolean withHistory) throws Exception {
        work = Files.createDirectories(TestKafka.workDir());
        sql("CREATE TABLE orders (id integer PRIMARY KEY, status text NOT NULL, note text)");
        Map<String, String> env = CaptureEnvironment.of(pg, database, bootstrap, prefix);
        capture = CaptureEnvironment.startServer(env, work.resolve("capture-" + prefix + ".log"));
        // the streams-app and the history-sink start while capture does (they read its topics once they appear)
        Map<String, String> streamsEnv = new HashMap<>(env);
        streamsEnv.put("DM_STREAMS_APPLICATION_ID", streamsGroup);
        streamsEnv.put("DM_STREAMS_STATE_DIR", work.resolve("streams-" + prefix).toString());
        streamsEnv.put("DM_STREAMS_HTTP_PORT", "0");
        streamsEnv.put("DM_STREAMS_METADATA_MAX_AGE_MS", "500");
        streams = ServiceProcess.start(Path.of(System.getProperty("dmtest.streams.jar")), streamsEnv, work.resolve("streams-" + prefix + ".log"));
        String historyUrl = withHistory ? startHistory() : null;
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> "1".equals(query(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'slot_" + prefix + "'")));
        if (historyUrl != null) {
            awaitReady(historyUrl);
        }
        gatewayPort = io.datamanager.runtime.FreePorts.pick();
        startGateway();
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", exchange -> {
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.computeIfAbsent(exchange.getRequestURI().getPath(), p -> new CopyOnWriteArrayList<>())
                    .add(new Delivery(headers, body, Instant.now()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        receiver.start();
    }

    void startGateway() {
        startGateway(Map.of());
    }

    /** Starts the history-sink; returns its URL (ready once {@link #awaitReady} says so). */
    private String startHistory() throws IOException {
        int port = io.datamanager.runtime.FreePorts.pick();
        String historyToken = "e2e-history-" + UUID.randomUUID();
        Map<String, String> env = new HashMap<>();
        historyDatabase = pg.createDatabase("e2e_history");
        env.put("DM_HISTORY_DB_URL", pg.jdbcUrl(historyDatabase));
        env.put("DM_HISTORY_DB_USER", pg.user());
        env.put("DM_HISTORY_DB_PASSWORD", pg.password());
        env.put("DM_KAFKA_BOOTSTRAP", bootstrap);
        env.put("DM_TOPIC_PREFIX", prefix);
        env.put("DM_HISTORY_GROUP_ID", "dm-history-" + prefix);
        env.put("DM_API_TOKENS", historyToken);
        env.put("DM_HISTORY_HTTP_PORT", Integer.toString(port));
        env.put("DM_RESTORE_JDBC_URL", pg.jdbcUrl(database));
        env.put("DM_RESTORE_USER", pg.user());
        env.put("DM_RESTORE_PASSWORD", pg.password());
        // a transaction restore first waits until history holds everything capture and the streams-app have read
        env.put("DM_SLOT_NAME", "slot_" + prefix);
        env.put("DM_STREAMS_APPLICATION_ID", streamsGroup);
        history = ServiceProcess.start(Path.of(System.getProperty("dmtest.history.jar")), env, work.resolve("history-" + prefix + ".log"));
        String url = "http://127.0.0.1:" + port;
        gatewayHistory.put("DM_HISTORY_URL", url);
        gatewayHistory.put("DM_HISTORY_TOKEN", historyToken);
        return url;
    }

    private void awaitReady(String url) {
        Awaitility.await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> http.send(
                HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode() == 200);
    }

    /** Starts the gateway with the stack's settings, {@code overrides} replacing or adding some. */
    void startGateway(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(Map.of("DM_KAFKA_BOOTSTRAP", bootstrap, "DM_TOPIC_PREFIX", prefix, "DM_GATEWAY_TOKENS", token + ":write," + readToken + ":read",
                "DM_ALLOW_LOOPBACK_WEBHOOKS", "true", "DM_GATEWAY_HTTP_PORT", Integer.toString(gatewayPort),
                "DM_WEBHOOK_RETRY_SCHEDULE", "100ms,200ms,400ms", "DM_GATEWAY_DELIVERY_GROUP", "dm-gateway-" + prefix,
                "DM_REDIS_URL", redis.url(), "DM_REDIS_RETRY_MAX", "500ms", "DM_GATEWAY_REDIS_GROUP", "dm-gateway-redis-" + prefix));
        env.put("DM_STREAMS_APPLICATION_ID", streamsGroup);
        env.put("DM_HISTORY_GROUP_ID", "dm-history-" + prefix);
        env.put("DM_GATEWAY_RATE_LIMIT", "100000");
        env.putAll(gatewayHistory);
        env.putAll(overrides);
        gateway = ServiceProcess.start(Path.of(System.getProperty("dmtest.gateway.jar")), env, work.resolve("gateway-" + prefix + ".log"));
        awaitReady(gatewayUrl());
    }

    void killGateway() throws InterruptedException {
        gateway.kill();
    }

    String gatewayUrl() {
        return "http://127.0.0.1:" + gatewayPort;
    }

    String hookUrl(String path) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
    }

    HttpResponse<String> api(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gatewayUrl() + path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    List<Delivery> at(String path) {
        return received.getOrDefault(path, List.of());
    }

    void sql(String... statements) throws Exception {
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    String query(String sql) throws Exception {
        try (Connection c = pg.connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }


    /** A connection to the captured database with synchronous commit, so pg_current_wal_lsn() is at or past each commit. */
    Connection session() throws Exception {
        Connection c = pg.connect(database);
        try (Statement s = c.createStatement()) {
            s.execute("SET synchronous_commit = on");
        }
        return c;
    }

    @Override
    public void close() {
        receiver.stop(0);
        gateway.close();
        if (history != null) {
            history.close();
        }
        streams.close();
        capture.close();
        redis.close();
    }
}
