package io.datamanager.streams.config;

import io.datamanager.streams.topology.ContextCheck;
import io.datamanager.streams.topology.PipelineTopology;
import io.datamanager.streams.topology.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Hands the pure topology to Quarkus, after making sure its fixed topics exist. */
@ApplicationScoped
public class TopologyProducer {

    /** Singleton, not application-scoped: Kafka Streams reads the topology's fields, which a client proxy would hide. */
    @Produces
    @Singleton
    Topology topology(PipelineConfig config, MicrometerPipelineMetrics metrics, KafkaDeadLetterSink deadLetters,
            @ConfigProperty(name = "quarkus.kafka-streams.bootstrap-servers") String bootstrapServers) {
        Topics topics = Topics.withPrefix(config.topicPrefix());
        if (config.createTopics()) {
            TopicBootstrap.ensure(bootstrapServers, topics, config);
        }
        return PipelineTopology.build(new StreamsBuilder(), topics, metrics, deadLetters, new ContextCheck(config.contextMaxBytes()));
    }
}
