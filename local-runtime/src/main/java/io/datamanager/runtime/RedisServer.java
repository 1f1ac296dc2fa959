package io.datamanager.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * This machine's {@code redis-server} as a child process on a loopback port, its data in a folder of its own:
 * {@code durable} servers keep every acknowledged write (append-only file, fsync always). A watching shell ends the
 * server when this JVM is gone, however it ends. The local stack runs its Redis this way; tests through TestRedis.
 */
public final class RedisServer implements AutoCloseable {
    private static final long ANSWER_WITHIN_MS = 60_000;

    private final int port;
    private Process watchdog;

    private RedisServer(int port, Process watchdog) {
        this.port = port;
        this.watchdog = watchdog;
    }

    /** Starts {@code binary} on {@code port} with its data in {@code dir}; returns once it answers PING. */
    public static RedisServer start(String binary, int port, Path dir, boolean durable) {
        List<String> args = new ArrayList<>(List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--save", "", "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()));
        args.addAll(durable ? List.of("--appendonly", "yes", "--appendfsync", "always") : List.of("--appendonly", "no"));
        // the shell watches this JVM and ends redis-server when it is gone, even after a SIGKILL of the JVM
        String script = "\"$@\" & child=$!; trap 'kill -9 $child 2>/dev/null; exit 0' TERM; "
                + "while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done; "
                + "kill -9 $child 2>/dev/null; exit 0";
        List<String> command = new ArrayList<>(List.of("sh", "-c", script, "redis-watchdog"));
        command.addAll(args);
        try {
            Files.createDirectories(dir);
            Process watchdog = new ProcessBuilder(ChildProcesses.ownSession(command)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("watchdog.log").toFile())).start();
            RedisServer server = new RedisServer(port, watchdog);
            server.awaitAnswer();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
    }

    /** {@code redis://127.0.0.1:<port>} */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Ends the server at once (SIGKILL), as a crash would. */
    public synchronized void kill() {
        if (watchdog == null) {
            return;
        }
        watchdog.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        watchdog.toHandle().descendants().forEach(p -> p.onExit().join());
        watchdog.destroy();
        try {
            watchdog.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchdog = null;
    }

    /** Stops the server cleanly (SIGTERM: it flushes its data), forcibly after 10 s. */
    @Override
    public synchronized void close() {
        if (watchdog != null) {
            watchdog.toHandle().descendants().forEach(ProcessHandle::destroy);
            watchdog.toHandle().descendants().forEach(p -> {
                try {
                    p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            });
        }
        kill();
    }

    private void awaitAnswer() {
        long deadline = System.currentTimeMillis() + ANSWER_WITHIN_MS;
        while (System.currentTimeMillis() < deadline) {
            if (watchdog == null || !watchdog.isAlive()) {
                throw new IllegalStateException("redis-server on port " + port + " stopped while starting");
            }
            if (pong()) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting redis-server", e);
            }
        }
        close();
        throw new IllegalStateException("redis-server did not answer on port " + port + " within " + ANSWER_WITHIN_MS / 1000 + " s");
    }

    private boolean pong() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readNBytes(7), StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException notYet) {
            return false;
        }
    }

    /** Whether this machine has a redis-server binary to run. */
    public static boolean binaryAvailable() {
        return binary() != null;
    }

    /** {@code DM_TEST_REDIS_SERVER}, else {@code redis-server} on the PATH or in the usual places; null when there is none. */
    public static String binary() {
        String configured = System.getenv("DM_TEST_REDIS_SERVER");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)));
        dirs.addAll(List.of("/usr/bin", "/usr/local/bin", "/usr/sbin", "/opt/homebrew/bin"));
        for (String d : dirs) {
            if (!d.isBlank() && Files.isExecutable(Path.of(d, "redis-server"))) {
                return Path.of(d, "redis-server").toString();
            }
        }
        return null;
    }
}
