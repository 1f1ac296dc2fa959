package io.datamanager.testsupport;

import io.datamanager.runtime.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;

/**
 * A real Redis server of a test's own, on a free loopback port: the machine's {@code redis-server} (found on
 * the PATH, or named by {@code DM_TEST_REDIS_SERVER}) run as a child process, else a Testcontainers
 * {@code redis} where Docker runs. It can be killed and started again on the same port and data folder, as
 * an outage would; {@code durable} servers keep every acknowledged write across that (append-only file,
 * fsync always). A watchdog ends the server when the test JVM ends, however it ends.
 */
public final class TestRedis implements AutoCloseable {
    private final int port;
    private final Path dir;
    private final boolean durable;
    private final RedisRuntime runtime;

    private TestRedis(int port, Path dir, boolean durable, RedisRuntime runtime) {
        this.port = port;
        this.dir = dir;
        this.durable = durable;
        this.runtime = runtime;
    }

    /** A server that keeps nothing on disk. */
    public static TestRedis start() {
        return start(false);
    }

    public static TestRedis start(boolean durable) {
        return start(io.datamanager.runtime.FreePorts.pick(), TestKafka.workDir().resolve("redis-" + UUID.randomUUID().toString().substring(0, 8)), durable);
    }

    /** A server on {@code port} with its data in {@code dir} (the local stack keeps its Redis this way across runs). */
    public static TestRedis start(int port, Path dir, boolean durable) {
        try {
            Files.createDirectories(dir);
            String binary = binary();
            RedisRuntime runtime;
            if (binary != null) {
                runtime = new ProcessRuntime(binary);
            } else if (Docker.available()) {
                runtime = new ContainerRuntime();
            } else {
                throw new IllegalStateException("tests need Redis: install redis-server (apt-get install redis-server), "
                        + "set DM_TEST_REDIS_SERVER to its path, or run a Docker engine");
            }
            TestRedis redis = new TestRedis(port, dir, durable, runtime);
            Runtime.getRuntime().addShutdownHook(new Thread(redis::close, "stop-test-redis"));
            redis.startServer();
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code redis://127.0.0.1:<port>} */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Ends the server at once (SIGKILL), as a crash would; the port stops answering. */
    public void kill() {
        runtime.kill();
    }

    /** Starts the server again on the same port and data folder, and waits until it answers. */
    public void restart() {
        startServer();
    }

    /** Stops the server cleanly (SIGTERM: it flushes its data), forcibly after 10 s. */
    @Override
    public void close() {
        runtime.stop();
    }

    private void startServer() {
        runtime.start(port, dir, durable);
        Awaitility.await("redis-server answering on " + port).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(this::pong);
    }

    private boolean pong() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readNBytes(7);
            return new String(answer, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        }
    }

    /** Whether this machine has a redis-server binary to run. */
    public static boolean binaryAvailable() {
        return RedisServer.binaryAvailable();
    }

    static String binary() {
        return RedisServer.binary();
    }


    /** How the server runs: a child process or a container. */
    private interface RedisRuntime {
        void start(int port, Path dir, boolean durable);

        void kill();

        void stop();
    }

    /** The machine's redis-server, as local-runtime runs it for the local stack. */
    private static final class ProcessRuntime implements RedisRuntime {
        private final String binary;
        private RedisServer server;

        ProcessRuntime(String binary) {
            this.binary = binary;
        }

        @Override
        public synchronized void start(int port, Path dir, boolean durable) {
            server = RedisServer.start(binary, port, dir, durable);
        }

        @Override
        public synchronized void stop() {
            if (server != null) {
                server.close();
                server = null;
            }
        }

        @Override
        public synchronized void kill() {
            if (server != null) {
                server.kill();
                server = null;
            }
        }
    }

    private static final class ContainerRuntime implements RedisRuntime {
        private org.testcontainers.containers.GenericContainer<?> container;

        @Override
        @SuppressWarnings("resource")
        public synchronized void start(int port, Path dir, boolean durable) {
            List<String> command = new ArrayList<>(List.of("redis-server", "--save", ""));
            command.addAll(durable ? List.of("--appendonly", "yes", "--appendfsync", "always") : List.of("--appendonly", "no"));
            container = new org.testcontainers.containers.GenericContainer<>("redis:7.4-alpine")
                    .withCommand(command.toArray(String[]::new))
                    .withFileSystemBind(dir.toString(), "/data")
                    .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(new com.github.dockerjava.api.model.PortBinding(
                            com.github.dockerjava.api.model.Ports.Binding.bindIpAndPort("127.0.0.1", port),
                            new com.github.dockerjava.api.model.ExposedPort(6379))));
            container.start();
        }

        @Override
        public synchronized void stop() {
            if (container != null) {
                container.stop();
                container = null;
            }
        }

        @Override
        public synchronized void kill() {
            if (container != null) {
                container.getDockerClient().killContainerCmd(container.getContainerId()).exec();
                container.stop();
                container = null;
            }
        }
    }
}
