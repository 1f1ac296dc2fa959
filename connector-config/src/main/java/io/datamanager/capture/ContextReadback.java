package io.datamanager.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the {@code dm.context} messages of one transaction back from Debezium's message topic, for a capture that
 * resumed in the middle of that transaction: Debezium skips what it had already processed, messages included, so the
 * context written before the restart would otherwise be lost for the changes after it.
 *
 * <p>Debezium publishes whole transactions in commit order, so a transaction's messages sit together near the end of
 * the topic, possibly repeated (capture is at-least-once). The topic is read backwards in chunks, keeping the records
 * of the transaction, and ends with the chunk that reaches a transaction committed before it (its {@code
 * source.sequence} names an earlier last commit). Messages are deduplicated by LSN and returned in LSN order.
 */
final class ContextReadback {
    private static final Logger LOG = LoggerFactory.getLogger(ContextReadback.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK = 500;
    /** Stops scanning a partition after this many records even without reaching an earlier transaction. */
    private static final int MAX_SCANNED = 100_000;

    private final String bootstrapServers;
    private final String topic;
    private final long timeoutMs;

    /** One message of the transaction: its LSN and content. */
    record Message(long lsn, byte[] content) {}

    /** What a message-topic record says, as far as the read-back needs. */
    record Seen(long txId, long lastCommit, long lsn, byte[] content) {}

    ContextReadback(String bootstrapServers, String topic, long timeoutMs) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.timeoutMs = timeoutMs;
    }

    /** The messages of transaction {@code txId} already in the topic, in LSN order; empty when none or on failure. */
    List<Message> messagesOf(long txId, long lastCommit) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "dm-capture-context-readback");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(CHUNK));
        TreeMap<Long, byte[]> found = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofMillis(remaining(deadline)));
            if (partitions == null) {
                return List.of();
            }
            for (PartitionInfo info : partitions) {
                TopicPartition partition = new TopicPartition(topic, info.partition());
                scan(consumer, partition, txId, lastCommit, found, deadline);
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot read the context of transaction {} back from {}; its changes after the restart go without it", txId,
                    topic, e);
            return List.of();
        }
        List<Message> messages = new ArrayList<>();
        found.forEach((lsn, content) -> messages.add(new Message(lsn, content)));
        return messages;
    }

    private static void scan(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long txId, long lastCommit,
            Map<Long, byte[]> found, long deadline) {
        consumer.assign(List.of(partition));
        long begin = consumer.beginningOffsets(List.of(partition), Duration.ofMillis(remaining(deadline))).get(partition);
        long end = consumer.endOffsets(List.of(partition), Duration.ofMillis(remaining(deadline))).get(partition);
        long high = end;
        while (high > begin && end - high < MAX_SCANNED) {
            long low = Math.max(begin, high - CHUNK);
            List<Seen> chunk = read(consumer, partition, low, high, deadline);
            boolean reachedEarlier = false;
            for (Seen seen : chunk) {
                if (seen.txId() == txId) {
                    found.putIfAbsent(seen.lsn(), seen.content());
                } else if (lastCommit < 0 ? !found.isEmpty() : seen.lastCommit() >= 0 && seen.lastCommit() < lastCommit) {
                    reachedEarlier = true;
                }
            }
            if (reachedEarlier) {
                return;
            }
            high = low;
        }
    }

    private static List<Seen> read(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long low, long high,
            long deadline) {
        consumer.seek(partition, low);
        List<Seen> out = new ArrayList<>();
        while (consumer.position(partition, Duration.ofMillis(remaining(deadline))) < high) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(Math.min(500, remaining(deadline))))) {
                if (record.offset() < high) {
                    Seen seen = parse(record.value());
                    if (seen != null) {
                        out.add(seen);
                    }
                }
            }
            if (remaining(deadline) <= 1) {
                throw new IllegalStateException("timed out");
            }
        }
        out.sort(Comparator.comparingLong(Seen::lsn));
        return out;
    }

    /** A message record as Debezium's JSON converter wrote it (with or without schemas); null when it is not one. */
    static Seen parse(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(value);
            if (node.has("payload") && node.has("schema")) {
                node = node.get("payload");
            }
            JsonNode source = node.path("source");
            JsonNode message = node.path("message");
            if (!source.hasNonNull("txId") || !TransactionContextHeader.PREFIX.equals(message.path("prefix").asText(null))) {
                return null;
            }
            JsonNode content = message.get("content");
            byte[] bytes = content == null || content.isNull() ? null : Base64.getDecoder().decode(content.asText());
            return new Seen(source.get("txId").asLong(), lastCommit(source.path("sequence").asText(null)),
                    source.path("lsn").asLong(-1), bytes);
        } catch (java.io.IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The first entry of Debezium's {@code source.sequence} ({@code ["<last commit lsn>","<lsn>"]}); -1 when absent. */
    static long lastCommit(String sequence) {
        if (sequence == null) {
            return -1;
        }
        try {
            JsonNode node = JSON.readTree(sequence);
            JsonNode first = node.isArray() && !node.isEmpty() ? node.get(0) : null;
            return first == null || first.isNull() ? -1 : Long.parseLong(first.asText());
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.currentTimeMillis());
    }
}
