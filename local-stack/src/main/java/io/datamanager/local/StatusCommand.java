package io.datamanager.local;

import io.datamanager.model.ParentProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;

/**
 * {@code ./datamanager status}: each component, how far behind each consumer is, and the WAL the slot holds back.
 * Answers within {@link #ANSWER_WITHIN} whatever is down: every question is asked at once with a short timeout, and
 * what does not answer is named in words (exit 1), never as a stack trace.
 */
@Command(name = "status", description = "Shows the components, consumer lag and the WAL the replication slot retains; exit 1 when a part is down.")
final class StatusCommand extends Cli.Common implements Callable<Integer> {
    /**
     * From the start of this process: a loaded machine may take a good part of it to start the JVM, and the script
     * before it takes its own share of the five seconds status promises. A health check that hangs (the streams-app's
     * readiness waits 10 s for Kafka's topic list while Kafka is down) is named as not answering at this point.
     */
    static final Duration ANSWER_WITHIN = Duration.ofMillis(3500);
    /** A process that runs but did not answer its health check in time: slow (a busy machine), not counted as down. */
    private static final String SLOW = "running, but its health check did not answer in time (busy?)";
    /** The least time the questions get, however slowly the JVM started. */
    private static final Duration AT_LEAST = Duration.ofMillis(2500);
    private static final Map<String, String> GROUPS = new TreeMap<>(Map.of("streams-app", "dm-streams", "history-sink", "dm-history",
            "webhooks", "dm-gateway-webhooks", "redis", "dm-gateway-redis"));

    @Override
    public Integer call() {
        try {
            return status();
        } catch (Exception e) {
            System.out.println("status failed: " + StatusProbes.words(e));
            return 1;
        }
    }

    private int status() throws Exception {
        var found = RunFile.ofRunning(dataDir());
        if (found.isEmpty()) {
            System.out.println("datamanager is not running (" + dataDir() + ")");
            return 3;
        }
        RunFile run = found.get();
        if (run.readyAt() == null) {
            System.out.printf("datamanager is starting since %s (pid %d); see %s%n", run.startedAt(), run.pid(), dataDir().resolve("logs"));
            return 0;
        }
        System.out.printf("datamanager is up since %s (pid %d), API %s%n%n", run.readyAt(), run.pid(), run.url());
        Instant began = ProcessHandle.current().info().startInstant().orElse(Instant.now());
        Duration left = Duration.between(Instant.now(), began.plus(ANSWER_WITHIN));
        long deadline = System.nanoTime() + (left.compareTo(AT_LEAST) < 0 ? AT_LEAST : left).toNanos();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dm-status");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Integer> ports = Map.of("capture", run.ports().capture(), "streams-app", run.ports().streams(),
                    "history-sink", run.ports().history(), "notify-gateway", run.ports().gateway());
            Map<String, CompletableFuture<String>> components = new LinkedHashMap<>();
            run.components().forEach((name, pid) -> components.put(name,
                    CompletableFuture.supplyAsync(() -> component(name, pid, ports.get(name), deadline), pool)));
            CompletableFuture<List<String>> lag = CompletableFuture.supplyAsync(() -> lag(run, deadline), pool);
            CompletableFuture<String> slot = CompletableFuture.supplyAsync(() -> slot(run), pool);

            List<String> down = new ArrayList<>();
            components.forEach((name, answer) -> {
                String state = await(answer, deadline, SLOW);
                System.out.printf("  %-15s pid %-8d %s%n", name, run.components().get(name), state);
                if (state.startsWith("DOWN") || state.startsWith("NOT READY")) {
                    down.add(name);
                }
            });
            System.out.println();
            for (String line : await(lag, deadline, List.of("  lag          unknown: Kafka is down or slow (no answer in time)"))) {
                System.out.println(line);
            }
            System.out.printf("%n%s%n", await(slot, deadline, "  slot " + LocalStack.SLOT + "      unknown: PostgreSQL is down or slow (no answer in time)"));
            System.out.printf("%n  up for %s%n", Duration.between(run.readyAt(), Instant.now()).withNanos(0).toString().substring(2).toLowerCase());
            if (!down.isEmpty()) {
                System.out.printf("%n  DOWN: %s. ./datamanager up starts a part that died again; its output says when it is back (logs in %s)%n",
                        String.join(", ", down), dataDir().resolve("logs"));
                return 1;
            }
            return 0;
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T await(CompletableFuture<T> answer, long deadline, T otherwise) {
        try {
            return answer.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            return otherwise;
        }
    }

    /** Time left until {@code deadline}, less a margin to print, and at least a quarter of a second. */
    private static Duration until(long deadline) {
        return Duration.ofNanos(Math.max(Duration.ofMillis(250).toNanos(), deadline - System.nanoTime() - Duration.ofMillis(150).toNanos()));
    }

    private static String component(String name, long pid, Integer httpPort, long deadline) {
        if (!ParentProcess.running(pid)) {
            return "DOWN: the process is gone";
        }
        if (httpPort == null) {
            return "running";
        }
        try {
            return Readiness.readiness(httpPort, until(deadline)) == 200 ? "ready"
                    : "NOT READY: its health check fails (GET :" + httpPort + "/q/health/ready)";
        } catch (java.net.http.HttpTimeoutException e) {
            return SLOW;
        } catch (Exception e) {
            return "NOT READY: its health check does not answer (" + e.getClass().getSimpleName() + ")";
        }
    }

    /** Records each consumer group has yet to read, or why that is unknown. */
    private static List<String> lag(RunFile run, long deadline) {
        String kafka = "127.0.0.1:" + run.ports().kafka();
        if (!listening(run.ports().kafka())) {
            return List.of("  lag          unknown: Kafka is down (nothing listens on " + kafka + ")");
        }
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka);
        props.put("request.timeout.ms", Long.toString(until(deadline).toMillis()));
        props.put("default.api.timeout.ms", Long.toString(until(deadline).toMillis()));
        props.put("reconnect.backoff.max.ms", "500");
        try (Admin admin = Admin.create(props)) {
            Map<String, CompletableFuture<String>> answers = new LinkedHashMap<>();
            GROUPS.forEach((label, group) -> answers.put(label, CompletableFuture.supplyAsync(() -> {
                try {
                    return StatusProbes.lag(admin, group);
                } catch (Exception e) {
                    return "unknown: " + StatusProbes.words(e);
                }
            })));
            List<String> lines = new ArrayList<>();
            answers.forEach((label, answer) -> lines.add(String.format("  lag %-12s %s", label,
                    await(answer, deadline, "unknown: Kafka did not answer in time"))));
            return lines;
        }
    }

    /** The replication slot's state, or why it is unknown. */
    private static String slot(RunFile run) {
        Properties props = new Properties();
        props.put("user", run.sourceUser());
        props.put("password", run.sourcePassword() == null ? "" : run.sourcePassword());
        props.put("connectTimeout", "2");
        props.put("socketTimeout", "2");
        props.put("loginTimeout", "2");
        props.put("tcpKeepAlive", "false");
        try (Connection c = DriverManager.getConnection(run.sourceJdbcUrl(), props);
                PreparedStatement s = LocalStack.slotQuery(c, "SELECT active, pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)), "
                        + "confirmed_flush_lsn, pg_current_wal_lsn() FROM pg_replication_slots WHERE slot_name = ?");
                ResultSet rs = s.executeQuery()) {
            if (rs.next()) {
                return String.format("  slot %-11s %s, retains %s of WAL (confirmed %s, server at %s)", LocalStack.SLOT,
                        rs.getBoolean(1) ? "active" : "INACTIVE", rs.getString(2), rs.getString(3), rs.getString(4));
            }
            return String.format("  slot %-11s MISSING: capture has not created it", LocalStack.SLOT);
        } catch (Exception e) {
            return String.format("  slot %-11s unknown: PostgreSQL is down or refuses (%s)", LocalStack.SLOT, StatusProbes.words(e));
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
