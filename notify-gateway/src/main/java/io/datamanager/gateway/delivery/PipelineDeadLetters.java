package io.datamanager.gateway.delivery;

import io.datamanager.gateway.config.GatewayConfig;
import io.datamanager.model.TopicNames;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Records of {@code dm.sub.<id>} that are not change events (produced there by someone else than the streams-app) go to
 * {@code dm.dlq}, as every stage of the pipeline does with what it cannot handle: the original key and value, headers
 * {@code dm.stage}, {@code dm.error} and the source coordinates; delivery then goes on with the next record.
 */
@ApplicationScoped
public class PipelineDeadLetters {
    private final GatewayConfig config;
    private final String topic;
    private KafkaProducer<byte[], byte[]> producer;

    PipelineDeadLetters(GatewayConfig config) {
        this.config = config;
        this.topic = new TopicNames(config.topicPrefix()).dlq();
    }

    /** Sends the record to {@code dm.dlq}; returns once Kafka has it (its offset is committed only after that). */
    public void send(String stage, ConsumerRecord<String, byte[]> record, Exception error) throws InterruptedException {
        RecordHeaders headers = new RecordHeaders();
        headers.add("dm.stage", bytes(stage));
        headers.add("dm.error", bytes(String.valueOf(error.getMessage())));
        headers.add("dm.source.topic", bytes(record.topic()));
        headers.add("dm.source.partition", bytes(Integer.toString(record.partition())));
        headers.add("dm.source.offset", bytes(Long.toString(record.offset())));
        byte[] key = record.key() == null ? null : bytes(record.key());
        try {
            producer().send(new ProducerRecord<>(topic, null, key, record.value(), headers)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot dead-letter record " + record.offset() + " of " + record.topic() + "-"
                    + record.partition() + "; its offset stays uncommitted", e.getCause());
        }
    }

    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Properties props = new Properties();
            props.put("bootstrap.servers", config.kafkaBootstrap());
            props.put("acks", "all");
            producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    @jakarta.annotation.PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
