package io.datamanager.capture;

import io.datamanager.runtime.ChildProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Kafka Connect worker in distributed mode, run as a child JVM from Maven's {@code connect-runtime} (the classpath
 * this module's build writes to {@code target/connect-worker.classpath}), with Debezium's PostgreSQL connector and the
 * {@code dm.types} transform on its plugin path ({@code target/connect-plugins}). Connector configurations reach it
 * through its REST API; {@code ${env:...}} in them is read from the environment given here. It stops with the test JVM
 * (the capture module's parent-watch agent).
 */
final class ConnectWorker implements AutoCloseable {
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();

    private ConnectWorker(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a worker of group {@code group}, its config, offsets and status in topics named {@code <group>-...}. */
    static ConnectWorker start(String bootstrap, String group, Map<String, String> env, Path dir) throws IOException {
        Files.createDirectories(dir);
        int port = io.datamanager.runtime.FreePorts.pick();
        Path config = dir.resolve("worker.properties");
        Files.writeString(config, String.join("\n",
                "bootstrap.servers=" + bootstrap,
                "group.id=" + group,
                "config.storage.topic=" + offsetsTopic(group).replace("-offsets", "-configs"),
                "offset.storage.topic=" + offsetsTopic(group),
                "status.storage.topic=" + offsetsTopic(group).replace("-offsets", "-status"),
                "config.storage.replication.factor=1",
                "offset.storage.replication.factor=1",
                "status.storage.replication.factor=1",
                "offset.storage.partitions=1",
                // how often source offsets reach the offsets topic: the consistency barrier waits up to this long
                "offset.flush.interval.ms=500",
                "key.converter=org.apache.kafka.connect.json.JsonConverter",
                "value.converter=org.apache.kafka.connect.json.JsonConverter",
                "listeners=http://127.0.0.1:" + port,
                "plugin.path=" + TARGET.resolve("connect-plugins"),
                "config.providers=env",
                "config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider",
                ""));
        List<String> command = new ArrayList<>(List.of(ChildProcesses.java(), "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-javaagent:" + agent(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients=warn", "-cp",
                Files.readString(TARGET.resolve("connect-worker.classpath")).trim(),
                "org.apache.kafka.connect.cli.ConnectDistributed", config.toString()));
        Path log = dir.resolve("worker.log");
        ProcessBuilder builder = new ProcessBuilder(ChildProcesses.ownSession(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        builder.environment().put("DM_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
        ConnectWorker worker = new ConnectWorker(builder.start(), port, log);
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "stop-connect"));
        return worker;
    }

    static String offsetsTopic(String group) {
        return group + "-offsets";
    }

    /** Answers its REST API. */
    boolean ready() {
        try {
            return get("/connectors").statusCode() == 200;
        } catch (Exception notYet) {
            return false;
        }
    }

    /** PUT /connectors/{name}/config: creates or replaces a connector. */
    HttpResponse<String> put(String name, String configJson) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/connectors/" + name + "/config"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(configJson)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    @Override
    public void close() {
        ChildProcesses.stop(process, Duration.ofSeconds(30));
    }

    private static Path agent() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(TARGET, "capture-*-agent.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        }
        throw new IllegalStateException("target/capture-*-agent.jar is missing: build the capture module");
    }

}
