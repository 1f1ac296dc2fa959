package io.datamanager.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** The gateway's settings; each is a DM_* environment variable in application.properties. */
@ConfigMapping(prefix = "dm.gateway")
public interface GatewayConfig {
    /** Kafka bootstrap servers. */
    String kafkaBootstrap();

    /** Topic prefix: {@code <prefix>.rules}, {@code <prefix>.sub.<id>}. */
    @WithDefault("dm")
    String topicPrefix();

    /** Partitions of the dm.sub.* topics the gateway creates. */
    @WithDefault("3")
    int partitions();

    @WithDefault("1")
    short replicationFactor();

    /** {@code token:scope} pairs; scope {@code read} or {@code write} (write includes read). None: every call refused. */
    Optional<List<String>> tokens();

    /** Requests per minute per token; over it, 429 with Retry-After. */
    @WithDefault("600")
    int requestsPerMinute();

    /** Delays between webhook attempts, comma-separated durations (5s,30s,2m,...); after the last one: dead letter. */
    @WithDefault("5s,30s,2m,10m,30m,1h,2h,4h")
    String retrySchedule();

    /** Time limit of one webhook attempt. */
    @WithDefault("10s")
    String webhookTimeout();

    /**
     * Records of one {@code dm.sub.<id>} partition in webhook delivery at once, each of another row (a row's changes
     * still go out one after the other); 1: the partition's records one after the other.
     */
    @WithDefault("8")
    int webhookConcurrency();

    /** Consumer group of webhook delivery (instances sharing it share the dm.sub.* partitions). */
    @WithDefault("dm-gateway-webhooks")
    String deliveryGroup();

    /** Base URL of the history-sink whose routes the gateway serves under the same paths (e.g. http://history:8082). */
    Optional<String> historyUrl();

    /** The bearer token the gateway presents to the history-sink. */
    Optional<String> historyToken();

    /** Webhook URLs may resolve to loopback (the local stack). */
    @WithDefault("false")
    boolean allowLoopbackWebhooks();

    /** Webhook URLs may resolve to private networks. */
    @WithDefault("false")
    boolean allowPrivateWebhooks();

    /**
     * The default Redis of subscriptions with {@code delivery.redis}: {@code redis://[user:password@]host:port[/db]},
     * {@code rediss://} for TLS. Credentials stay here, never in a subscription or a log line.
     */
    Optional<String> redisUrl();

    /** More Redis connections, named by subscriptions in {@code delivery.redis.connection}: {@code name=url} pairs, comma-separated. */
    Optional<String> redisConnections();

    /** Consumer group of Redis delivery (instances sharing it share the dm.sub.* partitions). */
    @WithDefault("dm-gateway-redis")
    String redisGroup();

    /** How long the version of a removed key is kept, so an older change delivered again later cannot bring the key back. */
    @WithDefault("24h")
    String redisVersionTtl();

    /** The longest wait between attempts while Redis is unreachable (attempts start at 100ms and double up to it). */
    @WithDefault("5s")
    String redisRetryMax();

    /** The streams-app's Kafka Streams application id, its consumer group: the consistency barrier reads its committed offsets. */
    @WithDefault("dm-streams")
    String streamsApplicationId();

    /**
     * Static membership of the delivery consumers ({@code group.instance.id} {@code <id>-webhooks}, {@code <id>-redis}):
     * a gateway restarted with the same id takes its partitions back at once, instead of waiting out the session
     * timeout of its killed predecessor. Unique per instance; absent: dynamic membership.
     */
    Optional<String> instanceId();

    /** The topic capture keeps its source offsets in; {@code <prefix>.offsets} when absent (Kafka Connect: its worker's offsets topic). */
    Optional<String> offsetsTopic();

    /** The history-sink's consumer group (its DM_HISTORY_GROUP_ID): the pipeline view shows how far it is behind the changes topic. */
    @WithDefault("dm-history")
    String historyGroupId();

    /**
     * More services whose {@code /q/health/ready} the pipeline view asks: {@code name=baseUrl} pairs, comma-separated
     * (e.g. {@code streams-app=http://streams:8081,capture=http://capture:8083}); the history-sink is asked at its URL anyway.
     */
    Optional<List<String>> healthUrls();
}
