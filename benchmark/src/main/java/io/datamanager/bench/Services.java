package io.datamanager.bench;

import io.datamanager.testsupport.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * The pipeline's services as the local stack runs them (their {@code quarkus-run.jar}, its environment variables),
 * under a topic prefix of their own: streams-app, history-sink and notify-gateway, webhooks to loopback allowed.
 * Also starts a history-sink of its own for the history-ingest-alone stage.
 */
final class Services implements AutoCloseable {
    final String prefix;
    final String token = "bench-" + UUID.randomUUID();
    final String historyToken = "bench-history-" + UUID.randomUUID();
    final String streamsGroup;
    private final Platform platform;
    private final Path home;
    private final Path logs;
    private final List<String> jvmOptions;
    private final Map<String, String> extraEnv;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, ServiceProcess> running = new LinkedHashMap<>();
    private final int streamsPort = Platform.freePort();
    private final int historyPort = Platform.freePort();
    private final int gatewayPort = Platform.freePort();

    Services(Platform platform, Path home, Path logs, String prefix, List<String> jvmOptions, Map<String, String> extraEnv) {
        this.extraEnv = extraEnv;
        this.platform = platform;
        this.home = home;
        this.logs = logs;
        this.prefix = prefix;
        this.jvmOptions = jvmOptions;
        this.streamsGroup = prefix + "-streams";
    }

    /** Starts the three services and returns once each is ready and Kafka Streams runs. */
    void start(String historyDb) throws Exception {
        Map<String, String> streams = new HashMap<>(Map.of("DM_KAFKA_BOOTSTRAP", platform.bootstrap(), "DM_TOPIC_PREFIX", prefix,
                "DM_STREAMS_APPLICATION_ID", streamsGroup, "DM_STREAMS_STATE_DIR", logs.resolveSibling("streams").toString(),
                "DM_STREAMS_HTTP_PORT", Integer.toString(streamsPort), "DM_STREAMS_METADATA_MAX_AGE_MS", "1000"));
        running.put("streams-app", start("streams-app", streams, "streams-app"));
        running.put("history-sink", start("history-sink", historyEnv(historyDb, prefix + "-history", historyPort), "history-sink"));
        Map<String, String> gateway = new HashMap<>();
        gateway.put("DM_KAFKA_BOOTSTRAP", platform.bootstrap());
        gateway.put("DM_TOPIC_PREFIX", prefix);
        gateway.put("DM_GATEWAY_TOKENS", token + ":write");
        gateway.put("DM_GATEWAY_HTTP_PORT", Integer.toString(gatewayPort));
        gateway.put("DM_HISTORY_URL", "http://127.0.0.1:" + historyPort);
        gateway.put("DM_HISTORY_TOKEN", historyToken);
        gateway.put("DM_ALLOW_LOOPBACK_WEBHOOKS", "true");
        gateway.put("DM_REDIS_URL", platform.redisUrl());
        gateway.put("DM_STREAMS_APPLICATION_ID", streamsGroup);
        gateway.put("DM_GATEWAY_RATE_LIMIT", "10000000"); // the barrier probes must not be rate-limited
        gateway.put("DM_GATEWAY_DELIVERY_GROUP", prefix + "-webhooks");
        gateway.put("DM_GATEWAY_REDIS_GROUP", prefix + "-redis");
        running.put("gateway", start("notify-gateway", gateway, "gateway"));
        await("streams-app", Duration.ofMinutes(3), () -> ready(streamsPort) && streamsRunning());
        await("history-sink", Duration.ofMinutes(3), () -> ready(historyPort));
        await("notify-gateway", Duration.ofMinutes(3), () -> ready(gatewayPort));
    }

    /** A history-sink of its own on {@code database}, reading {@code prefix}.changes as consumer group {@code group}. */
    ServiceProcess startHistoryAlone(String database, String group, String logName, List<String> extraJvmOptions) {
        int port = Platform.freePort();
        List<String> options = new java.util.ArrayList<>(jvmOptions);
        options.addAll(extraJvmOptions);
        Map<String, String> env = historyEnv(database, group, port);
        env.putAll(extraEnv);
        return ServiceProcess.start(home.resolve("history-sink/target/quarkus-app/quarkus-run.jar"), env, logs.resolve(logName + ".log"), options);
    }

    private Map<String, String> historyEnv(String database, String group, int port) {
        Map<String, String> env = new HashMap<>();
        env.put("DM_KAFKA_BOOTSTRAP", platform.bootstrap());
        env.put("DM_TOPIC_PREFIX", prefix);
        env.put("DM_HISTORY_DB_URL", platform.jdbcUrl(database));
        env.put("DM_HISTORY_DB_USER", "postgres");
        env.put("DM_HISTORY_DB_PASSWORD", "");
        env.put("DM_HISTORY_GROUP_ID", group);
        env.put("DM_API_TOKENS", historyToken);
        env.put("DM_HISTORY_HTTP_PORT", Integer.toString(port));
        env.put("DM_RESTORE_JDBC_URL", platform.jdbcUrl(Platform.SOURCE_DB));
        env.put("DM_RESTORE_USER", "postgres");
        env.put("DM_RESTORE_PASSWORD", "");
        env.put("DM_REDACTION_KEY", "bench-redaction-key-" + UUID.randomUUID());
        return env;
    }

    private ServiceProcess start(String module, Map<String, String> env, String name) {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(extraEnv);
        return ServiceProcess.start(home.resolve(module).resolve("target/quarkus-app/quarkus-run.jar"), all, logs.resolve(name + ".log"), jvmOptions);
    }

    boolean alive() {
        return running.values().stream().allMatch(ServiceProcess::isAlive);
    }

    Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        running.forEach((name, p) -> pids.put(name, p.pid()));
        return pids;
    }

    /** PUT /api/subscriptions/{id}; fails with the gateway's answer unless it is a 2xx. */
    void subscribe(String id, String json) throws Exception {
        HttpResponse<String> answer = api("PUT", "/api/subscriptions/" + id, json);
        if (answer.statusCode() / 100 != 2) {
            throw new IllegalStateException("the gateway refused subscription " + id + ": " + answer.statusCode() + " " + answer.body());
        }
    }

    /** GET /api/consistency: the barrier's answer for a subscription and an LSN. */
    HttpResponse<String> barrier(String subscription, String lsn, int timeoutMs) throws Exception {
        return api("GET", "/api/consistency?subscription=" + subscription + "&lsn=" + lsn + "&timeoutMs=" + timeoutMs, null);
    }

    /** The barrier, asked without waiting for its answer. */
    java.util.concurrent.CompletableFuture<HttpResponse<String>> barrierAsync(String subscription, String lsn, int timeoutMs) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/api/consistency?subscription=" + subscription
                + "&lsn=" + lsn + "&timeoutMs=" + timeoutMs)).header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(3)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> api(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(2))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    boolean ready(int port) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private boolean streamsRunning() {
        try {
            HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + streamsPort + "/q/health/live"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            return live.statusCode() == 200 && live.body().contains("RUNNING");
        } catch (Exception e) {
            return false;
        }
    }

    void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            for (var entry : running.entrySet()) {
                if (!entry.getValue().isAlive()) {
                    throw new IllegalStateException(entry.getKey() + " exited; see " + entry.getValue().log());
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(what + " not ready within " + timeout + "; logs in " + logs);
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() {
        List<String> names = new java.util.ArrayList<>(running.keySet());
        java.util.Collections.reverse(names);
        names.forEach(n -> running.get(n).close());
    }
}
