package io.datamanager.streams.config;

import io.datamanager.model.TopicNames;
import io.datamanager.streams.topology.Topics;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

/** Creates the pipeline's fixed topics when missing, before the topology starts (the global rules topic must exist). */
final class TopicBootstrap {
    private static final Logger LOG = Logger.getLogger(TopicBootstrap.class);

    private TopicBootstrap() {}

    static void ensure(String bootstrapServers, Topics topics, PipelineConfig config) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = List.of(
                    new NewTopic(topics.changes().name(), config.partitions(), config.replicationFactor()),
                    new NewTopic(topics.dlq().name(), config.partitions(), config.replicationFactor()),
                    new NewTopic(topics.context().name(), config.partitions(), config.replicationFactor()),
                    // a source of the topology, which Kafka Streams needs before Debezium writes its first message; one
                    // partition, as every dm.context message has the same key
                    new NewTopic(topics.cdcMessages(), 1, config.replicationFactor()),
                    new NewTopic(topics.rules().name(), TopicNames.RULES_PARTITIONS, config.replicationFactor())
                            .configs(TopicNames.RULES_CONFIGS))
                    .stream().filter(t -> !existing.contains(t.name())).toList();
            for (NewTopic topic : missing) {
                try {
                    admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
                    LOG.infof("created topic %s", topic.name());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the pipeline topics on " + bootstrapServers + ": " + e.getMessage(), e);
        }
    }
}
