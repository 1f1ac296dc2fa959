package io.datamanager.streams.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The streams-app's own settings (Kafka Streams' are under {@code kafka-streams.*}). */
@ConfigMapping(prefix = "dm.streams")
public interface PipelineConfig {
    /** Prefix of every topic: {@code <prefix>.cdc.*}, {@code <prefix>.changes}, {@code <prefix>.rules}, ... */
    @WithDefault("dm")
    String topicPrefix();

    /** Partitions of the topics this service creates when missing ({@code dm.changes}, {@code dm.dlq}). */
    @WithDefault("3")
    int partitions();

    /** Replication factor of the topics this service creates. */
    @WithDefault("1")
    short replicationFactor();

    /**
     * Create {@code dm.changes}, {@code dm.rules} (compacted), {@code dm.context}, {@code dm.dlq} and Debezium's message
     * topic {@code dm.cdc.message} (a source of the topology) at start when missing.
     */
    @WithDefault("true")
    boolean createTopics();

    /** The largest application context accepted, in bytes of its JSON ({@code DM_CONTEXT_MAX_BYTES}). */
    @WithDefault("4096")
    int contextMaxBytes();
}
