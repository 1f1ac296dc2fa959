package io.datamanager.history.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The history-sink's settings; every environment-specific one is a DM_* variable in application.properties. */
@ConfigMapping(prefix = "dm.history")
public interface HistoryConfig {
    /** Kafka bootstrap servers. */
    String kafkaBootstrap();

    /** Topic prefix: reads {@code <prefix>.changes}, dead-letters to {@code <prefix>.dlq}. */
    @WithDefault("dm")
    String topicPrefix();

    /** Consumer group of the ingest; instances sharing it share the partitions. */
    @WithDefault("dm-history")
    String groupId();

    /**
     * Static membership of the ingest's consumer ({@code group.instance.id}): an instance restarted with the same id
     * takes its partitions back at once, instead of waiting out the session timeout of its killed predecessor. Unique
     * per instance; absent: dynamic membership.
     */
    Optional<String> instanceId();

    /** Most versions written in one database transaction. */
    @WithDefault("2000")
    int batchSize();

    /** Database connections a batch is written on at once, split by partition of dm.changes (each row keeps its order). */
    @WithDefault("2")
    int writers();

    /** Start consuming at boot (off for tests of the API alone). */
    @WithDefault("true")
    boolean ingestEnabled();

    /** How often retention runs (a Quarkus scheduler interval, e.g. 1h, 15m). */
    @WithDefault("1h")
    String retentionInterval();

    /** Bearer tokens allowed on /api (comma-separated). None configured: every API call is refused. */
    Optional<List<String>> apiTokens();

    /** Key of the stable hash that replaces redacted values (HMAC-SHA256). */
    @WithDefault("change-me-redaction-key")
    String redactionKey();

    /**
     * The source database: restores are applied to it, and tables that have had no change yet are looked up in
     * its catalog. Without it restores are dry runs only, and only tables seen in history are known.
     */
    Restore restore();

    /** The publication capture reads (its DM_PUBLICATION_NAME): a table left out of it exists but is not captured. */
    @WithDefault("dm_publication")
    String publication();

    interface Restore {
        /** JDBC URL of the captured database. */
        Optional<String> jdbcUrl();

        Optional<String> user();

        Optional<String> password();

        /** Capture's replication slot (its DM_SLOT_NAME): how far capture has delivered the source's WAL to Kafka. */
        @WithDefault("dm_slot")
        String slotName();

        /** The streams-app's application id (its DM_STREAMS_APPLICATION_ID), the consumer group that reads capture's topics. */
        @WithDefault("dm-streams")
        String streamsApplicationId();

        /** How long a transaction or window restore waits for history to hold every change up to now before refusing. */
        @WithDefault("15s")
        Duration completeWait();
    }
}
