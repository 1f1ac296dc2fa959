package io.datamanager.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.runtime.CaptureServer;
import io.datamanager.testsupport.CaptureEnvironment;
import io.datamanager.runtime.ChildProcesses;
import io.datamanager.testsupport.TestKafka;
import io.datamanager.runtime.kafka.KafkaBroker;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yaml run without Docker: every service started, in the order of its {@code depends_on}, the way its
 * compose entry starts it, as a process on this machine. Each gets the environment compose gives it (variables from
 * .env, required secrets set here), its image's command ({@code postgres -c ...} with the mounted init scripts,
 * the {@code apache/kafka} broker configured from its {@code KAFKA_*} variables, {@code redis-server} with its
 * arguments, Debezium Server's {@code run.sh} with the mounted {@code config}, and the {@code ENTRYPOINT} of
 * {@code deploy/quarkus-service.Dockerfile}), with only what a container network does translated: a service's name
 * becomes 127.0.0.1, each container port a free port of this machine, each named volume a folder. Then every
 * health check answers, and a row written to the captured database comes out of the gateway's history API.
 */
class ComposeProcessesIT {
    private static final Path HOME = Path.of(System.getProperty("dmtest.home")).toAbsolutePath().normalize();
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?}");
    private static final Pattern HEALTH_PORT = Pattern.compile("/dev/tcp/127\\.0\\.0\\.1/(\\d+)");
    private static final Pattern SERVICE_ADDRESS = Pattern.compile("\\b([a-z][a-z-]*):(\\d{2,5})\\b");
    private static final String TOKEN = "compose-" + UUID.randomUUID();
    /** The container ports each service listens on (compose publishes none but the gateway's; the others talk on its network). */
    private static final Map<String, List<Integer>> CONTAINER_PORTS = Map.of("postgres", List.of(5432), "kafka", List.of(9092, 9093),
            "redis", List.of(6379), "capture", List.of(8080, 8084), "streams-app", List.of(8081), "history-sink", List.of(8082),
            "notify-gateway", List.of(8080));

    private static final Map<String, Integer> hostPorts = new HashMap<>();
    private static final Deque<AutoCloseable> started = new ArrayDeque<>();
    private static Map<String, Map<String, Object>> services;
    private static Map<String, String> variables;
    private static Path work;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void startEveryServiceAsComposeWould() throws Exception {
        Map<String, Object> file = new org.yaml.snakeyaml.Yaml().load(Files.readString(HOME.resolve("docker-compose.yaml")));
        services = (Map<String, Map<String, Object>>) file.get("services");
        Properties dotEnv = new Properties();
        dotEnv.load(new java.io.StringReader(Files.readString(HOME.resolve(".env"))));
        variables = new HashMap<>();
        dotEnv.stringPropertyNames().forEach(k -> variables.put(k, dotEnv.getProperty(k)));
        // the secrets compose requires of whoever runs it
        variables.putAll(Map.of("DM_PG_PASSWORD", "compose-pw", "DM_GATEWAY_TOKENS", TOKEN + ":write",
                "DM_HISTORY_TOKEN", "compose-history-" + UUID.randomUUID(), "DM_REDACTION_KEY", "compose-redaction"));
        work = Files.createDirectories(TestKafka.workDir().resolve("compose-" + UUID.randomUUID().toString().substring(0, 8)));
        services.forEach((name, service) -> CONTAINER_PORTS.getOrDefault(name, List.of()).forEach(p -> hostPorts.put(name + ":" + p, io.datamanager.runtime.FreePorts.pick())));

        for (String name : startOrder()) {
            Map<String, String> env = environment(name);
            switch (name) {
                case "postgres" -> startPostgres(env);
                case "kafka" -> startKafka(env);
                case "redis" -> startRedis();
                case "capture" -> startCapture(env);
                default -> startQuarkusService(name, env);
            }
            if (awaitedByAnother(name)) { // as compose does: a service waits for the health of what it depends on, nothing else does
                awaitHealthy(name);
            }
        }
    }

    @AfterAll
    static void stopInReverseOrder() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                System.err.println("stopping failed: " + e);
            }
        }
    }

    @Test
    void everyHealthCheckAnswersAndARowWrittenToTheCapturedDatabaseReachesTheHistoryApi() throws Exception {
        String database = variables.getOrDefault("DM_PG_DATABASE", "shop");
        String source = "jdbc:postgresql://127.0.0.1:" + hostPorts.get("postgres:5432") + "/" + database;
        try (Connection c = DriverManager.getConnection(source, "postgres", variables.get("DM_PG_PASSWORD")); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id integer PRIMARY KEY, status text NOT NULL)");
            s.execute("INSERT INTO orders VALUES (1, 'new')");
        }
        // capture may still be taking its initial snapshot (nothing in compose waits for it): the row comes as an insert or a snapshot read
        awaitHistory("\"status\":\"new\"");
        try (Connection c = DriverManager.getConnection(source, "postgres", variables.get("DM_PG_PASSWORD")); Statement s = c.createStatement()) {
            s.execute("UPDATE orders SET status = 'paid' WHERE id = 1");
        }
        String history = awaitHistory("\"op\":\"update\"");
        assertThat(history).as("the update, streamed, with its before image").contains("\"status\":\"paid\"").contains("\"changed\":[\"status\"]");
        // every health check answers once a table has had a change (the streams-app is ready once a dm.cdc.* topic exists)
        services.keySet().forEach(ComposeProcessesIT::awaitHealthy);
    }

    /** The history of order 1 through the gateway, once it contains {@code text}. */
    private static String awaitHistory(String text) {
        HttpClient http = HttpClient.newHttpClient();
        String gateway = "http://127.0.0.1:" + hostPorts.get("notify-gateway:8080");
        return Awaitility.await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> http.send(
                HttpRequest.newBuilder(URI.create(gateway + "/api/history?table=public.orders&pk.id=1"))
                        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body(),
                body -> body.contains(text));
    }

    @SuppressWarnings("unchecked")
    private static boolean awaitedByAnother(String name) {
        return services.values().stream().map(service -> service.get("depends_on")).filter(Map.class::isInstance)
                .anyMatch(dependsOn -> ((Map<String, Object>) dependsOn).containsKey(name));
    }

    /** Services after what they depend on, in the file's order otherwise. */
    @SuppressWarnings("unchecked")
    private static List<String> startOrder() {
        List<String> order = new ArrayList<>();
        while (order.size() < services.size()) {
            for (var entry : services.entrySet()) {
                Object dependsOn = entry.getValue().get("depends_on");
                var needs = dependsOn instanceof Map ? ((Map<String, Object>) dependsOn).keySet() : java.util.Set.<String>of();
                if (!order.contains(entry.getKey()) && order.containsAll(needs)) {
                    order.add(entry.getKey());
                }
            }
        }
        return order;
    }

    /** The service's environment as compose gives it, with the container network translated to this machine. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(String name) {
        Map<String, String> env = new LinkedHashMap<>();
        Object declared = services.get(name).get("environment");
        if (declared instanceof Map) {
            ((Map<String, Object>) declared).forEach((key, value) -> env.put(key, interpolate(String.valueOf(value))));
        }
        Map<String, String> translated = new LinkedHashMap<>();
        env.forEach((key, value) -> translated.put(key, translate(name, env, key, value)));
        return translated;
    }

    private static String interpolate(String value) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String set = variables.get(m.group(1));
            String replacement = set != null && !set.isEmpty() ? set : "-".equals(stripColon(m.group(2))) ? m.group(3) : null;
            assertThat(replacement).as("${" + m.group(1) + "} has a value").isNotNull();
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String stripColon(String operator) {
        return operator == null ? null : operator.replace(":", "");
    }

    /**
     * service:port to 127.0.0.1:its port here; a service named by a {@code *_HOST} variable to 127.0.0.1, and its port
     * beside it to its port here; the service's own container port to its port here.
     */
    private static String translate(String service, Map<String, String> env, String key, String value) {
        Matcher m = SERVICE_ADDRESS.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Integer port = hostPorts.get(m.group(1) + ":" + m.group(2));
            m.appendReplacement(out, Matcher.quoteReplacement(port == null ? m.group() : "127.0.0.1:" + port));
        }
        m.appendTail(out);
        String translated = out.toString();
        if (key.endsWith("_HOST") && services.containsKey(translated)) {
            return "127.0.0.1";
        }
        if (translated.matches("\\d+")) {
            for (Map.Entry<String, String> other : env.entrySet()) {
                String host = other.getValue();
                if (other.getKey().endsWith("_HOST") && services.containsKey(host) && hostPorts.containsKey(host + ":" + translated)) {
                    return Integer.toString(hostPorts.get(host + ":" + translated));
                }
            }
            if (hostPorts.containsKey(service + ":" + translated)) {
                return Integer.toString(hostPorts.get(service + ":" + translated));
            }
        }
        return translated;
    }

    /** The folder standing in for a named volume (or a mount) at {@code containerPath}. */
    @SuppressWarnings("unchecked")
    private static Path volume(String service, String containerPath) throws IOException {
        for (Object volume : (List<Object>) services.get(service).getOrDefault("volumes", List.of())) {
            String[] parts = String.valueOf(volume).split(":");
            if (parts[1].equals(containerPath)) {
                return parts[0].startsWith("./") ? HOME.resolve(parts[0]).normalize() : Files.createDirectories(work.resolve(parts[0]));
            }
        }
        throw new AssertionError(service + " mounts nothing at " + containerPath);
    }

    @SuppressWarnings("unchecked")
    private static List<String> command(String service) {
        return ((List<Object>) services.get(service).get("command")).stream().map(String::valueOf).toList();
    }

    /** postgres: its command's -c settings, POSTGRES_DB created, and the mounted init scripts run once, as the image does on a new volume. */
    private static void startPostgres(Map<String, String> env) throws Exception {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPort(hostPorts.get("postgres:5432"))
                .setDataDirectory(volume("postgres", "/var/lib/postgresql/data")).setCleanDataDirectory(true);
        List<String> command = command("postgres");
        assertThat(command.get(0)).isEqualTo("postgres");
        for (int i = 1; i < command.size(); i += 2) {
            assertThat(command.get(i)).isEqualTo("-c");
            String[] setting = command.get(i + 1).split("=", 2);
            builder.setServerConfig(setting[0], setting[1]);
        }
        EmbeddedPostgres pg = builder.start();
        started.push(pg);
        assertThat(env.get("POSTGRES_USER")).isEqualTo("postgres");
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + env.get("POSTGRES_DB"));
            try (DirectoryStream<Path> scripts = Files.newDirectoryStream(volume("postgres", "/docker-entrypoint-initdb.d"), "*.sql")) {
                for (Path script : scripts) {
                    s.execute(Files.readString(script));
                }
            }
        }
    }

    /** kafka: the apache/kafka image's rule, KAFKA_SOME_KEY=v becomes some.key=v, CLUSTER_ID formats the storage. */
    private static void startKafka(Map<String, String> env) throws IOException {
        Properties server = new Properties();
        env.forEach((key, value) -> {
            if (key.startsWith("KAFKA_")) {
                // a listener without a host (PLAINTEXT://:9092) listens on every address of the container: here on loopback
                Matcher own = Pattern.compile("//:(\\d+)").matcher(value);
                String local = own.replaceAll(r -> "//127.0.0.1:" + hostPorts.get("kafka:" + r.group(1)));
                server.setProperty(key.substring("KAFKA_".length()).toLowerCase(java.util.Locale.ROOT).replace('_', '.'), local);
            }
        });
        server.setProperty("log.dirs", volume("kafka", env.get("KAFKA_LOG_DIRS")).toString());
        KafkaBroker broker = KafkaBroker.start(work.resolve("kafka"), server, env.get("CLUSTER_ID"), hostPorts.get("kafka:9092"),
                Duration.ofSeconds(120));
        started.push(broker);
    }

    /** redis: its command, on its port here, with its data volume as the working folder (the image's /data). */
    private static void startRedis() throws IOException {
        List<String> command = new ArrayList<>(command("redis"));
        String binary = System.getenv().getOrDefault("DM_TEST_REDIS_SERVER", "redis-server");
        command.set(0, binary);
        command.addAll(List.of("--port", Integer.toString(hostPorts.get("redis:6379")), "--bind", "127.0.0.1",
                "--dir", volume("redis", "/data").toString()));
        Process redis = new ProcessBuilder(ChildProcesses.ownSession(command)).redirectErrorStream(true)
                .redirectOutput(work.resolve("redis.log").toFile()).start();
        started.push(() -> ChildProcesses.stop(redis, Duration.ofSeconds(10)));
    }

    /** capture: Debezium Server's run.sh with the mounted config folder, which must be the one the tests run with. */
    private static void startCapture(Map<String, String> env) throws IOException {
        CaptureServer.Layout layout = CaptureEnvironment.layout();
        assertThat(volume("capture", "/debezium/config")).isEqualTo(layout.config());
        CaptureServer capture = CaptureServer.start(layout, work.resolve("capture"), env, work.resolve("capture.log"),
                hostPorts.get("capture:8080"), "");
        started.push(capture);
    }

    /** The three services: the Dockerfile's ENTRYPOINT, with the module's built application where the image has it. */
    @SuppressWarnings("unchecked")
    private static void startQuarkusService(String name, Map<String, String> env) throws IOException {
        Map<String, Object> build = (Map<String, Object>) services.get(name).get("build");
        String module = String.valueOf(((Map<String, Object>) build.get("args")).get("MODULE"));
        String dockerfile = Files.readString(HOME.resolve(String.valueOf(build.get("dockerfile"))));
        Matcher entrypoint = Pattern.compile("ENTRYPOINT \\[(.*)]").matcher(dockerfile);
        assertThat(entrypoint.find()).as(name + "'s Dockerfile has an ENTRYPOINT").isTrue();
        Path app = HOME.resolve(module).resolve("target/quarkus-app");
        List<String> command = new ArrayList<>();
        for (String part : entrypoint.group(1).split(",")) {
            String arg = part.trim().replaceAll("^\"|\"$", "");
            command.add(arg.equals("java") ? ChildProcesses.java() : arg.replace("/deployments/", app + "/"));
        }
        for (Map.Entry<String, String> e : new ArrayList<>(env.entrySet())) {
            if (e.getValue().startsWith("/var/lib/datamanager")) { // the streams-app's state volume
                env.put(e.getKey(), e.getValue().replace("/var/lib/datamanager", volume(name, "/var/lib/datamanager").toString()));
            }
        }
        ProcessBuilder builder = new ProcessBuilder(ChildProcesses.ownSession(command)).directory(app.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile());
        builder.environment().putAll(env);
        builder.environment().put("DM_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
        Process process = builder.start();
        started.push(() -> ChildProcesses.stop(process, Duration.ofSeconds(30)));
    }

    private static void awaitHealthy(String name) {
        Awaitility.await(name + " healthy (logs in " + work + ")").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(300))
                .until(() -> healthy(name));
    }

    /** The service's compose health check, asked here: its HTTP readiness, or for the servers a client's question. */
    @SuppressWarnings("unchecked")
    private static boolean healthy(String name) {
        String test = String.valueOf(((Map<String, Object>) services.get(name).get("healthcheck")).get("test"));
        try {
            Matcher port = HEALTH_PORT.matcher(test);
            if (port.find()) {
                int here = hostPorts.get(name + ":" + port.group(1));
                return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + here + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            }
            return switch (name) {
                case "postgres" -> {
                    assertThat(test).contains("pg_isready");
                    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + hostPorts.get("postgres:5432") + "/postgres",
                            "postgres", "")) {
                        yield c.isValid(3);
                    }
                }
                case "kafka" -> {
                    assertThat(test).contains("kafka-broker-api-versions");
                    try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + hostPorts.get("kafka:9092")))) {
                        yield !admin.describeCluster().nodes().get(5, java.util.concurrent.TimeUnit.SECONDS).isEmpty();
                    }
                }
                case "redis" -> {
                    assertThat(test).contains("ping");
                    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), hostPorts.get("redis:6379"))) {
                        socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                        yield new String(socket.getInputStream().readNBytes(7), StandardCharsets.US_ASCII).equals("+PONG\r\n");
                    }
                }
                default -> throw new AssertionError("no health check known for " + name);
            };
        } catch (Exception notYet) {
            return false;
        }
    }

}
