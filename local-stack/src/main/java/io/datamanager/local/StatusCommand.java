package io.datamanager.local;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;

/** {@code ./datamanager status}: each component, how far behind each consumer is, and the WAL the slot holds back. */
@Command(name = "status", description = "Shows the components, consumer lag and the WAL the replication slot retains.")
final class StatusCommand extends Cli.Common implements Callable<Integer> {
    private static final Map<String, String> GROUPS = Map.of("streams-app", "dm-streams", "history-sink", "dm-history",
            "webhooks", "dm-gateway-webhooks", "redis", "dm-gateway-redis");

    @Override
    public Integer call() throws Exception {
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
        Map<String, Integer> ports = Map.of("capture", run.ports().capture(), "streams-app", run.ports().streams(),
                "history-sink", run.ports().history(), "notify-gateway", run.ports().gateway());
        run.components().forEach((name, pid) -> {
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            String health = ports.containsKey(name) ? (Readiness.healthy(ports.get(name)) ? "ready" : "NOT READY") : alive ? "running" : "";
            System.out.printf("  %-15s pid %-8d %s%n", name, pid, alive ? health : "GONE");
        });
        System.out.println();
        Properties props = new Properties();
        props.put("bootstrap.servers", "127.0.0.1:" + run.ports().kafka());
        try (Admin admin = Admin.create(props)) {
            for (var group : new java.util.TreeMap<>(GROUPS).entrySet()) {
                System.out.printf("  lag %-12s %s%n", group.getKey(), lag(admin, group.getValue()));
            }
        }
        try (Connection c = DriverManager.getConnection(run.sourceJdbcUrl(), run.sourceUser(), run.sourcePassword());
                PreparedStatement s = LocalStack.slotQuery(c, "SELECT active, pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)), "
                        + "confirmed_flush_lsn, pg_current_wal_lsn() FROM pg_replication_slots WHERE slot_name = ?");
                ResultSet rs = s.executeQuery()) {
            if (rs.next()) {
                System.out.printf("%n  slot %-11s %s, retains %s of WAL (confirmed %s, server at %s)%n", LocalStack.SLOT, rs.getBoolean(1) ? "active" : "INACTIVE",
                        rs.getString(2), rs.getString(3), rs.getString(4));
            } else {
                System.out.printf("%n  slot %-11s MISSING: capture has not created it%n", LocalStack.SLOT);
            }
        }
        System.out.printf("%n  up for %s%n", Duration.between(run.readyAt(), Instant.now()).withNanos(0).toString().substring(2).toLowerCase());
        return 0;
    }

    /** Records the group has yet to read in the topics it has committed offsets for. */
    private static String lag(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        if (committed.isEmpty()) {
            return "no offsets yet";
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(p -> latest.put(p, OffsetSpec.latest()));
        long lag = 0;
        for (var end : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata at = committed.get(end.getKey());
            lag += Math.max(0, end.getValue().offset() - (at == null ? 0 : at.offset()));
        }
        return String.format("%,d records behind (%d partitions)", lag, committed.size());
    }
}
