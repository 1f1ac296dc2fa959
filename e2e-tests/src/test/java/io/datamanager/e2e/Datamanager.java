package io.datamanager.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * {@code ./datamanager} run as a user runs it, from the repository, with a data directory and ports of a test's
 * own; its output goes to a file the test reads.
 */
final class Datamanager {
    final Path home = Path.of(System.getProperty("dmtest.home")).toAbsolutePath().normalize();
    final Path data;
    final int portOffset = freePortBlock();
    /** Environment of every command, beside what the test's own environment has. */
    final java.util.Map<String, String> env = new java.util.HashMap<>();

    Datamanager(Path data) {
        this.data = data;
    }

    /** Starts {@code ./datamanager up}; returns the process once it printed that it is up (its output in {@code log}). */
    Process up(Path log, Duration timeout, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("up"));
        args.addAll(List.of(options));
        Process up = start(log, args.toArray(String[]::new));
        Awaitility.await("./datamanager up").atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!up.isAlive()) {
                throw new AssertionError("./datamanager up ended with " + up.exitValue() + ":\n" + Files.readString(log));
            }
            return Files.readString(log).contains("datamanager is up");
        });
        return up;
    }

    /**
     * Starts {@code ./datamanager up} under a parent that never reaps it (a shell that backgrounds it and then becomes
     * {@code sleep}), as some process managers and terminals do: once up ends it stays a zombie. Returns that parent;
     * up's own pid is in the run file.
     */
    Process upUnreaped(Path log, Duration timeout, String... options) throws Exception {
        List<String> up = new ArrayList<>(List.of(home.resolve("datamanager").toString(), "up", "--data-dir", data.toString(),
                "--port-offset", Integer.toString(portOffset)));
        up.addAll(List.of(options));
        String script = "\"$@\" & exec sleep 900";
        List<String> command = new ArrayList<>(List.of("sh", "-c", script, "unreaping-parent"));
        command.addAll(up);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("DM_NO_BUILD", "1");
        builder.environment().putAll(env);
        Process parent = builder.start();
        Awaitility.await("./datamanager up").atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
            String out = Files.readString(log);
            if (out.contains("datamanager did not start")) {
                throw new AssertionError("./datamanager up failed:\n" + out);
            }
            return out.contains("datamanager is up");
        });
        return parent;
    }

    /** Runs a command to its end; returns its output, failing when it does not exit with 0. */
    String run(String... args) throws Exception {
        Path log = Files.createTempFile(data.getParent(), "cmd", ".log");
        Process p = start(log, args);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new AssertionError("./datamanager " + String.join(" ", args) + " failed:\n" + Files.readString(log));
        }
        return Files.readString(log);
    }

    Process start(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(home.resolve("datamanager").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--data-dir", data.toString()));
        if (args[0].equals("up") || args[0].equals("db")) {
            command.addAll(List.of("--port-offset", Integer.toString(portOffset)));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("DM_NO_BUILD", "1");
        builder.environment().putAll(env);
        return builder.start();
    }

    JsonNode runFile() throws IOException {
        return Json.tree(Files.readAllBytes(data.resolve("run.json")), "run.json");
    }

    String jdbcUrl() {
        return jdbcUrl("shop");
    }

    /** A database of the stack's PostgreSQL ({@code shop}, the history's {@code dm_history}, {@code postgres}). */
    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + (5433 + portOffset) + "/" + database;
    }

    /** Runs one statement on the demo database ({@code shop}). */
    void sql(String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl(), "postgres", ""); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /** The first column of the first row a query on {@code shop} answers, or null when it answers no row. */
    String query(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl(), "postgres", ""); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    String kafkaBootstrap() {
        return "127.0.0.1:" + (9092 + portOffset);
    }

    /** The pid the run file names for a part of the stack ({@code capture}, {@code kafka}, ...). */
    long pid(String part) throws IOException {
        return runFile().path("components").path(part).asLong();
    }

    /** The line up prints when the part died and it restarts it. */
    static java.util.regex.Pattern diedLine(String part) {
        return java.util.regex.Pattern.compile("(?m)^  " + java.util.regex.Pattern.quote(part)
                + " +died \\(exit (\\d+|unknown)\\); restarting in \\d+ s \\(restart \\d+\\)$");
    }

    /** The line up prints when the part it restarted is healthy again. */
    static java.util.regex.Pattern backLine(String part) {
        return java.util.regex.Pattern.compile("(?m)^  " + java.util.regex.Pattern.quote(part) + " +back in [0-9.]+ s \\(pid \\d+\\)$");
    }

    /** Waits until the run file names a new, running process for the part (up started it again); returns its pid. */
    long awaitNewPid(String part, long old, Duration timeout) {
        long[] fresh = {0};
        Awaitility.await(part + " started again").atMost(timeout).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> {
                    fresh[0] = pid(part);
                    return fresh[0] != old && io.datamanager.model.ParentProcess.running(fresh[0]);
                });
        return fresh[0];
    }

    /** The seconds from the "ready in" line of up's output. */
    static double readyIn(Path log) throws IOException {
        String out = Files.readString(log, StandardCharsets.UTF_8);
        var m = java.util.regex.Pattern.compile("datamanager is up: ready in ([0-9.]+) s").matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    /** An offset under which all of the stack's ports (8080..8084, 9092, 9093, 5433, 6380 plus it) are free on loopback. */
    private static int freePortBlock() {
        for (int attempt = 0; attempt < 50; attempt++) {
            // below Linux's ephemeral range (32768 and up), where the other tests' brokers and connections take their ports
            int offset = 1_000 + ThreadLocalRandom.current().nextInt(22_000);
            if (List.of(8080, 8081, 8082, 8083, 8084, 9092, 9093, 5433, 6380).stream().allMatch(p -> free(p + offset))) {
                return offset;
            }
        }
        throw new IllegalStateException("no free block of ports");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
