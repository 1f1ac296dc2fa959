package io.datamanager.gateway.delivery;

import io.datamanager.gateway.config.Durations;
import io.datamanager.gateway.config.GatewayConfig;
import io.datamanager.gateway.subscriptions.RuleLog;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.TopicNames;
import io.datamanager.model.subscription.Redis;
import io.datamanager.model.subscription.RedisKeys;
import io.datamanager.model.subscription.Subscription;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Keeps Redis caches consistent with the tables of subscriptions with {@code delivery.redis}: every record of
 * {@code dm.sub.<id>} is applied by {@link RedisWriter} (what a partition's worker has read so far in one pipeline, in
 * order), through a {@link SubscriptionFeed} of its own
 * consumer group (a slow webhook never holds up cache invalidation). While Redis cannot be reached the change
 * is tried again, backing off from 100 ms to {@code DM_REDIS_RETRY_MAX}, and never skipped: its offset is
 * committed, and the consistency barrier counts it delivered, only once Redis took it.
 */
@ApplicationScoped
public class RedisDispatcher {
    private static final Logger LOG = Logger.getLogger(RedisDispatcher.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);

    private final GatewayConfig config;
    private final RuleLog rules;
    private final RedisConnections connections;
    private final MeterRegistry registry;
    private final RedisWriter writer;
    private final Duration retryMax;
    private final StatusTrackers status;
    private SubscriptionFeed feed;

    RedisDispatcher(GatewayConfig config, RuleLog rules, RedisConnections connections, MeterRegistry registry) {
        this.config = config;
        this.rules = rules;
        this.connections = connections;
        this.registry = registry;
        this.status = new StatusTrackers("redis", registry);
        this.writer = new RedisWriter(Durations.parse(config.redisVersionTtl()));
        this.retryMax = Durations.parse(config.redisRetryMax());
    }

    void onStart(@Observes StartupEvent event) {
        feed = new SubscriptionFeed("redis", config.kafkaBootstrap(), config.redisGroup(), config.instanceId(), new TopicNames(config.topicPrefix()),
                (PartitionWorker.Batches) this::deliver);
        feed.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (feed != null) {
            feed.stop();
        }
    }

    /** Where Redis delivery of the subscription stands; null when it has none. */
    public DeliveryStatus status(String subscription) {
        return status.status(subscription, feed == null ? 0 : feed.pending(subscription));
    }

    /**
     * Applies the records a partition's worker has read, in their order, in one pipeline; returns once Redis took them all,
     * retrying the whole batch while it cannot be reached (each key's version makes a repeat change nothing).
     */
    private void deliver(String id, List<ConsumerRecord<String, byte[]>> records, PartitionWorker worker) throws InterruptedException {
        Subscription subscription = rules.get(id).orElse(null);
        if (subscription == null || subscription.delivery().redis() == null) {
            return; // removed, or no Redis delivery
        }
        Redis redis = subscription.delivery().redis();
        StatusTracker tracker = status.of(id);
        List<RedisWriter.Change> changes = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            ChangeEvent change;
            try {
                change = Json.read(record.value(), ChangeEvent.class);
            } catch (RuntimeException e) {
                // streams-app writes only valid changes; anything else cannot become valid by waiting
                LOG.errorf(e, "record %d of %s-%d is not a change event; Redis delivery passes it by", record.offset(), record.topic(),
                        record.partition());
                tracker.failed("record " + record.offset() + " of " + record.topic() + " is not a change event: " + e.getMessage());
                continue;
            }
            RedisKeys keys = RedisKeys.of(redis, change);
            for (String problem : keys.problems()) {
                tracker.failed(problem);
                registry.counter("dm.gateway.redis.unrendered.keys", "subscription", id).increment();
                LOG.debugf("subscription %s, change %s: %s", id, change.id(), problem);
            }
            changes.add(new RedisWriter.Change(keys, change));
        }
        if (changes.isEmpty()) {
            return;
        }
        Duration delay = FIRST_RETRY;
        while (worker.active()) {
            try {
                writer.applyAll(connections.client(redis.connection()), redis.action(), changes);
                changes.forEach(c -> tracker.delivered(c.change()));
                registry.counter("dm.gateway.redis.deliveries", "subscription", id).increment(changes.size());
                return;
            } catch (JedisException e) {
                String error = "Redis connection '" + RedisConnections.nameOf(redis.connection()) + "': " + e.getMessage();
                tracker.failed(error);
                registry.counter("dm.gateway.redis.failures", "subscription", id).increment();
                LOG.debugf("subscription %s: %s; trying again in %s", id, error, delay);
                worker.pause(delay);
                delay = delay.multipliedBy(2).compareTo(retryMax) > 0 ? retryMax : delay.multipliedBy(2);
            }
        }
    }
}
