package io.datamanager.streams.config;

import io.datamanager.streams.topology.DeadLetterSink;
import io.datamanager.streams.topology.Outcome;
import io.datamanager.streams.topology.Topics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Sends rules the global processor cannot apply to {@code dm.dlq}, with the same headers as the topology's dead letters. */
@ApplicationScoped
public class KafkaDeadLetterSink implements DeadLetterSink {
    private static final Logger LOG = Logger.getLogger(KafkaDeadLetterSink.class);
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    KafkaDeadLetterSink(PipelineConfig config, @ConfigProperty(name = "quarkus.kafka-streams.bootstrap-servers") String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "dm-streams-rules-dlq");
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = Topics.withPrefix(config.topicPrefix()).dlq().name();
    }

    @Override
    public void send(Outcome.DeadLetter letter) {
        LOG.warnf(letter.error(), "rule %s cannot be applied", letter.key() == null ? null : new String(letter.key(), StandardCharsets.UTF_8));
        RecordHeaders headers = Topics.deadLetterHeaders(letter);
        producer.send(new ProducerRecord<>(topic, null, letter.key(), letter.value(), headers));
    }

    @PreDestroy
    void close() {
        producer.close();
    }
}
