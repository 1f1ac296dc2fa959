package io.datamanager.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Poison records, produced to a topic the pipeline consumes as anyone with access to Kafka could: bytes that are not
 * JSON, and JSON of the wrong shape; and their dead letters, found in the dead-letter topic by their (unique) key.
 */
final class Poison {
    /** A poison record as produced. */
    record Letter(String topic, String key, String kind) {}

    /** A dead letter: the stage that gave up on it, why, and where it came from. */
    record DeadLetter(String key, String stage, String error, String sourceTopic) {}

    /** Not UTF-8, not JSON. */
    static final byte[] GARBAGE = {(byte) 0xff, (byte) 0xfe, 0x00, '{', '"', (byte) 0xc3, 0x28, '}'};

    private Poison() {}

    /** Produces one record of garbage and one of {@code wrongShape} to the topic, with keys {@code <prefix>-garbage-…} and {@code …-shape-…}. */
    static List<Letter> produce(String bootstrap, String topic, String keyPrefix, String wrongShape) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        List<Letter> letters = List.of(new Letter(topic, keyPrefix + "-garbage-" + suffix, "garbage bytes"),
                new Letter(topic, keyPrefix + "-shape-" + suffix, "JSON of the wrong shape"));
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("acks", "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, bytes(letters.get(0).key()), GARBAGE)).get();
            producer.send(new ProducerRecord<>(topic, bytes(letters.get(1).key()), bytes(wrongShape))).get();
        }
        return letters;
    }

    /** Every committed record of the dead-letter topic now, as dead letters. */
    static List<DeadLetter> deadLetters(String bootstrap, String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        List<DeadLetter> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(new DeadLetter(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8), header(r, "dm.stage"),
                            header(r, "dm.error"), header(r, "dm.source.topic")));
                }
            }
        }
        return out;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
