package io.datamanager.testsupport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads topics from the beginning until what was read satisfies a condition, or fails at a deadline with
 * what it did read, so a test waits for an outcome instead of sleeping.
 */
public final class TopicReader {
    private TopicReader() {}

    /** Reads every topic matching {@code topics} (a regex) until {@code done} holds for all records read so far. */
    public static List<ConsumerRecord<byte[], byte[]>> readUntil(String bootstrapServers, Pattern topics,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "500");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(topics);
            while (!done.test(read)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("condition not met within " + timeout + " on topics /" + topics
                            + "/; read " + read.size() + " records: " + summary(read));
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    // a rebalance (new topic matching the pattern) rewinds to the start: keep each record once
                    if (seen.add(r.topic() + '/' + r.partition() + '/' + r.offset())) {
                        read.add(r);
                    }
                }
            }
        }
        return read;
    }

    /** Reads one topic until {@code done} holds. */
    public static List<ConsumerRecord<byte[], byte[]>> readUntil(String bootstrapServers, String topic,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout) {
        return readUntil(bootstrapServers, Pattern.compile(Pattern.quote(topic)), done, timeout);
    }

    private static String summary(List<ConsumerRecord<byte[], byte[]>> read) {
        StringBuilder sb = new StringBuilder();
        for (ConsumerRecord<byte[], byte[]> r : read.subList(Math.max(0, read.size() - 5), read.size())) {
            sb.append("\n  ").append(r.topic()).append('@').append(r.offset()).append(": ")
                    .append(r.value() == null ? "null" : new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return sb.toString();
    }
}
