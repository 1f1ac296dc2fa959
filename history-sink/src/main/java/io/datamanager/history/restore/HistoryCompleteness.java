package io.datamanager.history.restore;

import io.datamanager.history.config.HistoryConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Knows whether history holds every change the source has committed, before a transaction or window restore
 * plans (a restore planned on half a transaction would undo half of it). The source's WAL position now
 * ({@code pg_current_wal_insert_lsn()}, on the restore connection) is the mark: every committed transaction lies before it.
 * History holds everything before the mark once, in this order, (1) capture's slot has confirmed the mark
 * ({@code confirmed_flush_lsn}: capture confirms a position only after Kafka acknowledged what came before, and its
 * heartbeats move it on an idle database), (2) the streams-app's group has committed its reading of every
 * {@code <prefix>.cdc.*} partition up to the end it had after (1), and (3) the ingest's group has committed
 * {@code <prefix>.changes} and {@code <prefix>.context} up to the end (last committed transaction) they had after (2):
 * the ingest commits its offsets only after the database did. Each step waits, all within {@code completeWait}; then the restore is refused.
 */
@ApplicationScoped
public class HistoryCompleteness {
    private static final Duration POLL = Duration.ofMillis(100);
    private final HistoryConfig config;
    private final CompleteThrough through;
    private Admin admin;

    HistoryCompleteness(HistoryConfig config, CompleteThrough through) {
        this.config = config;
        this.through = through;
    }

    /** Waits until history holds every change committed before now; the source's WAL position it holds them to. */
    String await(Connection source) throws SQLException {
        Mark mark = await(source, config.restore().completeWait());
        through.advance(mark);
        return mark.lsn();
    }

    /** A point in the source's commit order: its WAL position and the source's clock when it was read. */
    public record Mark(String lsn, Instant commitTs) {}

    /**
     * Waits at most {@code wait} until history holds every change committed before now; the mark it holds them to.
     * Refused (409) when it does not by then.
     */
    public Mark await(Connection source, Duration wait) throws SQLException {
        Instant deadline = Instant.now().plus(wait);
        Mark now = now(source);
        String mark = now.lsn();
        String slot = config.restore().slotName();
        while (true) {
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("sourceLsn", mark);
            state.put("slot", slot);
            String confirmed = single(source, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?", List.of(slot));
            if (confirmed == null) {
                throw new RestoreRefused(409, "History completeness unknown", "capture's replication slot '" + slot + "' does not exist in "
                        + "the source database, so whether history holds every change cannot be told; set DM_SLOT_NAME to capture's slot",
                        state, null);
            }
            state.put("captureLsn", confirmed);
            if ("t".equals(single(source, "SELECT CAST(? AS pg_lsn) >= CAST(? AS pg_lsn)", List.of(confirmed, mark)))) {
                break;
            }
            waitOrRefuse(deadline, state, "capture has delivered the source's WAL up to " + confirmed + " of " + mark);
        }
        String prefix = config.topicPrefix();
        awaitGroup(deadline, config.restore().streamsApplicationId(), prefix + ".cdc.", mark, "the streams-app");
        awaitGroup(deadline, config.groupId(), prefix + ".changes", mark, "history's ingest");
        // the streams-app writes a transaction's context messages to dm.context while it reads them from capture's topics
        awaitGroup(deadline, config.groupId(), prefix + ".context", mark, "history's ingest");
        return now;
    }

    private static Mark now(Connection source) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement("SELECT pg_current_wal_insert_lsn()::text, clock_timestamp()");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Mark(rs.getString(1), rs.getTimestamp(2).toInstant());
        }
    }

    /** Waits until the group has committed every partition of the topics named {@code topics}* up to their end now. */
    private void awaitGroup(Instant deadline, String group, String topics, String mark, String who) {
        Map<TopicPartition, Long> ends = ends(topics);
        while (true) {
            long behind = behind(group, ends);
            if (behind == 0) {
                return;
            }
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("sourceLsn", mark);
            state.put("consumerGroup", group);
            state.put("recordsBehind", behind);
            waitOrRefuse(deadline, state, who + " (consumer group " + group + ") is " + behind + " record(s) behind on " + topics + "*");
        }
    }

    private static void waitOrRefuse(Instant deadline, Map<String, Object> state, String why) {
        if (Instant.now().isAfter(deadline)) {
            throw new RestoreRefused(409, "History not complete yet", "history does not yet hold every change the source has "
                    + "committed: " + why + "; nothing was planned or written: try again shortly", state, null);
        }
        LockSupport.parkNanos(POLL.toNanos());
    }

    private Map<TopicPartition, Long> ends(String topics) {
        Admin a = admin();
        try {
            List<String> names = a.listTopics().names().get(10, TimeUnit.SECONDS).stream().filter(t -> t.startsWith(topics)).toList();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (TopicDescription d : a.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
                d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, Long> out = new HashMap<>();
            a.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(10, TimeUnit.SECONDS)
                    .forEach((p, info) -> out.put(p, info.offset()));
            return out;
        } catch (ExecutionException | TimeoutException e) {
            throw unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        }
    }

    private long behind(String group, Map<TopicPartition, Long> ends) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            long behind = 0;
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                OffsetAndMetadata at = committed.get(end.getKey());
                behind += Math.max(0, end.getValue() - (at == null ? 0 : at.offset()));
            }
            return behind;
        } catch (ExecutionException | TimeoutException e) {
            throw unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        }
    }

    private static RestoreRefused unavailable(Exception e) {
        return new RestoreRefused(503, "Kafka unavailable", "Kafka, which tells whether history holds every change, could not be "
                + "asked (" + e.getMessage() + "); try again shortly", null, e);
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
            props.put(AdminClientConfig.CLIENT_ID_CONFIG, "dm-history-restore");
            admin = Admin.create(props);
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }

    private static String single(Connection c, String sql, List<Object> params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
