package io.datamanager.gateway.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.gateway.config.GatewayConfig;
import io.datamanager.model.DeadLetterHeaders;
import io.datamanager.model.Json;
import io.datamanager.model.TopicNames;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The webhook dead letters, kept in the topic {@code <prefix>.webhook-dlq} (key: subscription id). A letter
 * is named {@code <partition>-<offset>}; a redelivered letter gets a marker record in the same topic, so
 * the list shows what still waits.
 */
@ApplicationScoped
public class DeadLetterStore {
    static final String REDELIVERED = "dm.redelivered";

    /** One change given up on, with why. */
    public record Letter(String letter, String eventId, String error, int attempts, Instant at, JsonNode event) {}

    private final GatewayConfig config;
    private final String topic;
    private KafkaProducer<String, byte[]> producer;

    DeadLetterStore(GatewayConfig config) {
        this.config = config;
        this.topic = new TopicNames(config.topicPrefix()).webhookDlq();
    }

    /** Records a change given up on; returns once Kafka has it (its offset is committed only after that). */
    public void add(String subscription, ConsumerRecord<String, byte[]> record, String error, int attempts) throws InterruptedException {
        RecordHeaders headers = new RecordHeaders();
        headers.add(DeadLetterHeaders.ERROR, error.getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.ATTEMPTS, Integer.toString(attempts).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_OFFSET, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        send(subscription, record.value(), headers, "cannot record a dead letter of " + subscription + "; its offset stays uncommitted");
    }

    private void send(String key, byte[] value, RecordHeaders headers, String failure) throws InterruptedException {
        try {
            producer().send(new ProducerRecord<>(topic, null, key, value, headers)).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(failure, e.getCause());
        }
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Properties props = new Properties();
            props.put("bootstrap.servers", config.kafkaBootstrap());
            props.put("acks", "all");
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    @jakarta.annotation.PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close();
        }
    }

    public List<Letter> list(String subscription) {
        List<ConsumerRecord<String, byte[]>> records = readAll();
        Set<String> redelivered = new HashSet<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            Header marker = r.headers().lastHeader(REDELIVERED);
            if (marker != null && subscription.equals(r.key())) {
                redelivered.add(new String(marker.value(), StandardCharsets.UTF_8));
            }
        }
        List<Letter> letters = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            String name = r.partition() + "-" + r.offset();
            if (subscription.equals(r.key()) && r.headers().lastHeader(REDELIVERED) == null && !redelivered.contains(name)) {
                JsonNode event = Json.tree(r.value(), "dead letter");
                letters.add(new Letter(name, event.path("id").asText(), header(r, DeadLetterHeaders.ERROR),
                        Integer.parseInt(Optional.ofNullable(header(r, "dm.attempts")).orElse("0")), Instant.ofEpochMilli(r.timestamp()), event));
            }
        }
        return letters;
    }

    public Optional<Letter> find(String subscription, String letter) {
        return list(subscription).stream().filter(l -> l.letter().equals(letter)).findFirst();
    }

    public void markRedelivered(String subscription, String letter) throws InterruptedException {
        RecordHeaders headers = new RecordHeaders();
        headers.add(REDELIVERED, letter.getBytes(StandardCharsets.UTF_8));
        send(subscription, new byte[0], headers, "cannot mark dead letter " + letter + " as redelivered");
    }

    private List<ConsumerRecord<String, byte[]>> readAll() {
        Properties props = new Properties();
        props.put("bootstrap.servers", config.kafkaBootstrap());
        props.put("group.id", "dm-dead-letter-reader-" + UUID.randomUUID());
        props.put("enable.auto.commit", "false");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (partitions.isEmpty()) {
                return List.of();
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
