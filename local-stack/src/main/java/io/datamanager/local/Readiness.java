package io.datamanager.local;

import io.datamanager.model.Json;
import io.datamanager.model.debezium.CaptureOffsets;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Waiting for the parts of the stack to be ready, and reporting the initial snapshot of large tables as it goes. */
final class Readiness {
    private static final long LARGE_TABLE_ROWS = 10_000;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Readiness() {}

    /** Waits for {@code ready}; fails at once when {@code alive} turns false (the process died: its log says why). */
    static void await(String what, Duration timeout, BooleanSupplier alive, String log, BooleanSupplier ready) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!alive.getAsBoolean()) {
                throw new IllegalStateException(what + " stopped while starting; see " + log);
            }
            try {
                if (ready.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // keep waiting
            }
            pause(Duration.ofMillis(200));
        }
        throw new IllegalStateException(what + " was not ready within " + timeout.toSeconds() + " s; see " + log);
    }

    /** The service's readiness check answers 200. */
    static boolean healthy(int port) {
        return healthy(port, Duration.ofSeconds(3));
    }

    /** The service's readiness check answers 200 within {@code timeout}. */
    static boolean healthy(int port, Duration timeout) {
        try {
            return readiness(port, timeout) == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** The status of the service's readiness check; throws {@link java.net.http.HttpTimeoutException} when it took too long. */
    static int readiness(int port, Duration timeout) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(timeout).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Kafka Streams has its partitions and processes them (not starting, not rebalancing). */
    static boolean streamsRunning(int port) {
        try {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/live"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200
                    && Json.tree(answer.body().getBytes(StandardCharsets.UTF_8), "health").findValuesAsText("state").contains("RUNNING");
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Follows capture until it streams: while its offsets say it is in the initial snapshot, prints every few seconds
     * how many rows of each large table (more than {@value #LARGE_TABLE_ROWS} estimated) are in Kafka.
     */
    static void awaitStreaming(String bootstrap, String prefix, Connection source, PrintStream out, BooleanSupplier captureAlive,
            String captureLog) throws Exception {
        Map<String, Long> large = largeTables(source);
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("allow.auto.create.topics", "false");
        try (KafkaConsumer<byte[], byte[]> offsets = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                Admin admin = Admin.create(props)) {
            long lastReport = System.nanoTime();
            boolean reported = false;
            while (true) {
                if (!captureAlive.getAsBoolean()) {
                    throw new IllegalStateException("capture stopped; see " + captureLog);
                }
                if (offsets.assignment().isEmpty()) {
                    List<TopicPartition> partitions = new ArrayList<>();
                    var infos = offsets.partitionsFor(prefix + ".offsets", Duration.ofSeconds(5));
                    if (infos != null) {
                        infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                    }
                    if (partitions.isEmpty()) {
                        pause(Duration.ofMillis(500));
                        continue;
                    }
                    offsets.assign(partitions);
                    offsets.seekToBeginning(partitions);
                }
                byte[] last = null;
                for (ConsumerRecord<byte[], byte[]> record : offsets.poll(Duration.ofMillis(500))) {
                    last = record.value() != null ? record.value() : last;
                }
                if (last != null && CaptureOffsets.position(last).isPresent()) {
                    if (reported) {
                        out.println("    snapshot complete");
                    }
                    return;
                }
                if (!large.isEmpty() && System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(3)) {
                    lastReport = System.nanoTime();
                    reported = true;
                    Map<String, Long> captured = captured(admin, prefix, large.keySet());
                    large.forEach((table, estimate) -> out.printf("    snapshot %s: %,d of about %,d rows%n", table,
                            captured.getOrDefault(table, 0L), estimate));
                }
            }
        }
    }

    private static Map<String, Long> largeTables(Connection source) throws Exception {
        Map<String, Long> tables = new LinkedHashMap<>();
        try (PreparedStatement s = source.prepareStatement("""
                SELECT n.nspname || '.' || c.relname, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND c.reltuples > ?
                ORDER BY c.reltuples DESC LIMIT 10""")) {
            s.setLong(1, LARGE_TABLE_ROWS);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    tables.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return tables;
    }

    /** Records in each table's capture topic: during the snapshot, its rows read so far. */
    private static Map<String, Long> captured(Admin admin, String prefix, Iterable<String> tables) throws Exception {
        var names = admin.listTopics().names().get(5, TimeUnit.SECONDS);
        List<String> topics = new ArrayList<>();
        tables.forEach(table -> topics.add(prefix + ".cdc." + table));
        topics.retainAll(names);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS).forEach((topic, description) ->
                description.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
        Map<String, Long> counts = new HashMap<>();
        admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS).forEach((partition, info) ->
                counts.merge(partition.topic().substring(prefix.length() + ".cdc.".length()), info.offset(), Long::sum));
        return counts;
    }

    /** Whether the history-sink has a version of the row with this op (the stack waits for its demo's mistake to be recorded). */
    static boolean historyHas(int historyPort, String token, String table, int id, String op) {
        try {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + historyPort + "/api/history?table="
                    + table + "&pk.id=" + id + "&op=" + op)).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200
                    && Json.tree(answer.body().getBytes(StandardCharsets.UTF_8), "history").path("versions").size() > 0;
        } catch (Exception e) {
            return false;
        }
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
