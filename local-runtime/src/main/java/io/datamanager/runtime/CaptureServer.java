package io.datamanager.runtime;

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
 * Debezium Server (the {@code capture} module's {@code target/debezium-server}, unpacked from Debezium's distribution)
 * run as a child process the way its container image runs it: {@code run.sh} in a folder of its own that holds the
 * server's files and, as {@code config}, the folder docker compose mounts ({@code connector-config/debezium}). The
 * {@code DM_*} environment says what to capture and where to write. It runs in a session of its own, answers HTTP on
 * loopback ({@code /q/health}), and stops when this JVM ends, however it ends (the capture module's agent watches
 * {@code DM_PARENT_PID}).
 */
public final class CaptureServer implements AutoCloseable {
    /** The server's files that its image keeps in {@code /debezium}, beside the mounted {@code config}. */
    private static final List<String> SERVER_FILES = List.of("run.sh", "lib", "lib_metrics", "jmx");
    /** What Quarkus' thread pool asks of a Java 24 or newer (Debezium's image runs Java 21, where it is not needed). */
    private static final String JAVA_24_OPENS = Runtime.version().feature() >= 24 ? "--add-opens java.base/java.lang=ALL-UNNAMED" : "";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path log;
    private final int httpPort;

    private CaptureServer(Process process, Path log, int httpPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /** Where the unpacked Debezium Server and the mounted configuration are. */
    public record Layout(Path server, Path config) {
        public Layout {
            if (!Files.isExecutable(server.resolve("run.sh"))) {
                throw new IllegalStateException(server + " holds no Debezium Server: build the capture module first (./mvnw -pl capture -am package)");
            }
            if (!Files.isRegularFile(config.resolve("application.properties"))) {
                throw new IllegalStateException(config + " has no application.properties");
            }
        }

        /** The repository's: {@code capture/target/debezium-server} and {@code connector-config/debezium}. */
        public static Layout of(Path repository) {
            return new Layout(repository.resolve("capture/target/debezium-server"), repository.resolve("connector-config/debezium"));
        }
    }

    /**
     * Starts Debezium Server in {@code root} (made as its image's {@code /debezium}: the server's files and {@code config}
     * linked in), with {@code env} and its HTTP port; {@code javaOpts} go to its JVM.
     */
    public static CaptureServer start(Layout layout, Path root, Map<String, String> env, Path log, int httpPort, String javaOpts) {
        try {
            prepare(layout, root);
            ProcessBuilder builder = new ProcessBuilder(ChildProcesses.ownSession(List.of(root.resolve("run.sh").toString())))
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> environment = builder.environment();
            environment.putAll(env);
            environment.put("JAVA_HOME", javaHome());
            environment.put("DM_CAPTURE_HTTP_PORT", Integer.toString(httpPort));
            environment.putIfAbsent("DM_CAPTURE_HTTP_HOST", "127.0.0.1");
            environment.putIfAbsent("DM_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
            environment.put("JAVA_OPTS", String.join(" ", javaOpts, "-javaagent:" + agent(layout), classDataSharing(layout),
                    JAVA_24_OPENS).trim());
            CaptureServer server = new CaptureServer(builder.start(), log, httpPort);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "stop-capture"));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Debezium Server", e);
        }
    }

    /**
     * Makes {@code root} look like the image's {@code /debezium}: the server's files (folders as folders, since its
     * scripts {@code find} in them), and the configuration as {@code config}.
     */
    static void prepare(Layout layout, Path root) throws IOException {
        Files.createDirectories(root);
        List<Path> entries = new ArrayList<>();
        for (String name : SERVER_FILES) {
            entries.add(layout.server().resolve(name));
        }
        try (DirectoryStream<Path> runners = Files.newDirectoryStream(layout.server(), "debezium-server-*-runner.jar")) {
            runners.forEach(entries::add);
        }
        for (Path entry : entries) {
            Path target = root.resolve(entry.getFileName().toString());
            if (Files.isSymbolicLink(target)) {
                Files.delete(target); // a link, never the server's own folder, gets files linked into it
            }
            if (Files.isDirectory(entry)) {
                Files.createDirectories(target);
                try (DirectoryStream<Path> files = Files.newDirectoryStream(entry)) {
                    for (Path file : files) {
                        link(target.resolve(file.getFileName().toString()), file);
                    }
                }
            } else {
                link(target, entry);
            }
        }
        link(root.resolve("config"), layout.config());
    }

    private static void link(Path link, Path target) throws IOException {
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, target.toAbsolutePath());
    }

    /** The capture module's jar, whose agent stops the server with its parent. */
    static Path agent(Layout layout) throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(layout.server().getParent(), "capture-*-agent.jar")) {
            for (Path jar : jars) {
                return jar.toAbsolutePath();
            }
        }
        throw new IllegalStateException("the capture module's jar is missing beside " + layout.server() + ": build the capture module first");
    }

    /**
     * The classes Debezium Server loads, archived by the JVM at its first clean stop and mapped by every later start
     * (Java's AppCDS): a start takes about a third of the time. One archive per Java version, beside the server. The
     * parent-watch agent is a JDK-only class that changes no bytecode, so archiving with it loaded is safe.
     */
    static String classDataSharing(Layout layout) {
        Path archive = layout.server().resolveSibling("debezium-server-java" + Runtime.version().feature() + ".jsa");
        return "-XX:SharedArchiveFile=" + archive.toAbsolutePath() + " -XX:+AutoCreateSharedArchive"
                + " -XX:+UnlockDiagnosticVMOptions -XX:+AllowArchivingWithJavaAgent -Xlog:cds=off,cds+dynamic=off";
    }

    private static String javaHome() {
        return Path.of(ChildProcesses.java()).getParent().getParent().toString();
    }

    public int httpPort() {
        return httpPort;
    }

    /** Debezium Server's readiness check answers 200. */
    public boolean ready() {
        return health("/q/health/ready");
    }

    /** Debezium Server's liveness check answers 200: its connector runs. */
    public boolean live() {
        return health("/q/health/live");
    }

    private boolean health(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    public Path log() {
        return log;
    }

    /** Ends Debezium Server at once (SIGKILL), as a crash would: no offset is committed on the way out. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Stops Debezium Server cleanly (SIGTERM: the current batch finishes, its offsets are committed), forcibly after 60 s. */
    @Override
    public void close() {
        ChildProcesses.stop(process, Duration.ofSeconds(60));
    }

}
