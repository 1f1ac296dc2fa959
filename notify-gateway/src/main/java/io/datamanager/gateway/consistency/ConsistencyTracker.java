package io.datamanager.gateway.consistency;

import io.datamanager.gateway.config.GatewayConfig;
import io.datamanager.gateway.subscriptions.RuleLog;
import io.datamanager.model.Lsn;
import io.datamanager.model.TopicNames;
import io.datamanager.model.debezium.CaptureOffsets;
import io.datamanager.model.subscription.Subscription;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * Knows, per subscription, up to which LSN every matching change is delivered: the read-your-writes barrier.
 * Three steps, each proven with Kafka offsets rather than assumed, so it holds for any number of gateway
 * instances and advances on an idle or unrelated stream:
 * <ol>
 *   <li>capture: its committed source offset ({@code dm.offsets}) has reached the LSN (heartbeats move it on an
 *       idle database), so every transaction committed at or before it is in {@code dm.cdc.*};</li>
 *   <li>streams-app: its consumer group has committed past the end offsets of every {@code dm.cdc.*} partition
 *       as they were then (exactly-once: its outputs are committed with those offsets), so every matching
 *       change is in {@code dm.sub.<id>};</li>
 *   <li>delivery: the consumer group of each channel the subscription uses (webhook, Redis) has committed past
 *       the end offsets of {@code dm.sub.<id>} as they were then. A subscription with no channel is delivered
 *       once its changes are on its topic.</li>
 * </ol>
 * One thread does the work, and only while someone waits: it reads the offsets topic, and every
 * {@value #TICK_MS} ms starts an epoch at the newest position and completes the epochs the groups have passed.
 */
@ApplicationScoped
public class ConsistencyTracker {
    private static final Logger LOG = Logger.getLogger(ConsistencyTracker.class);
    static final long TICK_MS = 20;
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(5);

    private record Waiter(String subscription, Lsn lsn, CompletableFuture<Lsn> done) {}

    private final GatewayConfig config;
    private final RuleLog rules;
    private final TopicNames topics;
    private final Pattern cdcTopics;
    private final String offsetsTopic;
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final Map<String, Lsn> delivered = new ConcurrentHashMap<>();
    private final Epochs routing = new Epochs();
    private final Map<String, Epochs> delivering = new HashMap<>(); // the tracker thread's own
    private volatile Lsn captured;
    private volatile boolean running;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Admin admin;
    private Thread thread;
    private long lastTick;
    private long lastFailureLog;

    ConsistencyTracker(GatewayConfig config, RuleLog rules) {
        this.config = config;
        this.rules = rules;
        this.topics = new TopicNames(config.topicPrefix());
        this.cdcTopics = Pattern.compile(topics.cdcPattern());
        this.offsetsTopic = config.offsetsTopic().orElse(topics.offsets());
    }

    void onStart(@Observes StartupEvent event) {
        Properties props = new Properties();
        props.put("bootstrap.servers", config.kafkaBootstrap());
        props.put("client.id", "dm-gateway-consistency");
        props.put("enable.auto.commit", "false");
        props.put("allow.auto.create.topics", "false"); // dm.offsets must be capture's own, compacted
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        admin = Admin.create(props);
        running = true;
        thread = new Thread(this::run, "dm-consistency");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (thread != null) {
            consumer.wakeup();
            thread.join(10_000);
            admin.close(Duration.ofSeconds(5));
        }
    }

    /** Completes with the subscription's delivered-through LSN once it is at or past {@code lsn}. */
    public CompletableFuture<Lsn> await(String subscription, Lsn lsn) {
        Lsn now = delivered.get(subscription);
        if (now != null && now.compareTo(lsn) >= 0) {
            return CompletableFuture.completedFuture(now);
        }
        Waiter waiter = new Waiter(subscription, lsn, new CompletableFuture<>());
        waiters.add(waiter);
        return waiter.done();
    }

    /** Every matching change committed at or before this LSN is delivered; empty until one is proven. */
    public Optional<Lsn> delivered(String subscription) {
        return Optional.ofNullable(delivered.get(subscription));
    }

    /** How far capture has safely written to Kafka; empty before its first offset (or during the initial snapshot). */
    public Optional<Lsn> captured() {
        return Optional.ofNullable(captured);
    }

    private void run() {
        while (running) {
            try {
                readCaptureOffsets(waiters.isEmpty() ? Duration.ofMillis(500) : Duration.ofMillis(TICK_MS));
                waiters.removeIf(w -> w.done().isDone()); // answered or timed out
                long now = System.currentTimeMillis();
                if (waiters.isEmpty() || now - lastTick < TICK_MS) {
                    continue;
                }
                lastTick = now;
                advanceRouting();
                advanceDelivery();
                release();
            } catch (WakeupException e) {
                return;
            } catch (Exception e) {
                if (System.currentTimeMillis() - lastFailureLog > 60_000) {
                    lastFailureLog = System.currentTimeMillis();
                    LOG.warn("consistency tracking cannot read Kafka right now; waiting clients get their answer when it can", e);
                }
                sleepQuietly();
            }
        }
    }

    private void readCaptureOffsets(Duration timeout) {
        if (consumer.assignment().isEmpty()) {
            List<TopicPartition> partitions = partitionsOf(offsetsTopic);
            if (partitions.isEmpty()) {
                sleepQuietly(); // capture has not created its offsets topic yet
                return;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            CaptureOffsets.position(record.value()).ifPresent(lsn -> {
                if (captured == null || lsn.compareTo(captured) > 0) {
                    captured = lsn;
                }
            });
        }
    }

    /** Step 2: the streams-app has read every dm.cdc.* partition past where it ended when capture was at the epoch's LSN. */
    private void advanceRouting() throws Exception {
        Lsn position = captured;
        if (routing.wants(position)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.listTopics(KAFKA_TIMEOUT).forEach((topic, infos) -> {
                if (cdcTopics.matcher(topic).matches()) {
                    infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                }
            });
            routing.add(position, ends(partitions));
        }
        if (routing.hasPending()) {
            routing.advance(List.of(committed(config.streamsApplicationId())));
        }
    }

    /** Step 3, for each subscription someone waits on: every channel it uses has delivered its topic past the epoch's ends. */
    private void advanceDelivery() throws Exception {
        Lsn routed = routing.proven();
        Map<String, Map<TopicPartition, Long>> committedByGroup = new HashMap<>();
        for (String subscription : waiters.stream().map(Waiter::subscription).distinct().toList()) {
            Optional<Subscription> definition = rules.get(subscription);
            if (definition.isEmpty()) {
                continue; // deleted while someone waits: the wait times out
            }
            Epochs epochs = delivering.computeIfAbsent(subscription, s -> new Epochs());
            List<String> groups = channelGroups(definition.get());
            if (epochs.wants(routed)) {
                epochs.add(routed, groups.isEmpty() ? Map.of() : ends(partitionsOf(topics.subscription(subscription))));
            }
            if (epochs.hasPending()) {
                List<Map<TopicPartition, Long>> committed = new ArrayList<>();
                for (String group : groups) {
                    committed.add(committedByGroup.computeIfAbsent(group, this::committedQuietly));
                }
                Lsn proven = epochs.advance(committed);
                if (proven != null) {
                    delivered.merge(subscription, proven, (a, b) -> a.compareTo(b) >= 0 ? a : b);
                }
            }
        }
    }

    private void release() {
        for (Waiter waiter : waiters) {
            Lsn now = delivered.get(waiter.subscription());
            if (now != null && now.compareTo(waiter.lsn()) >= 0) {
                waiter.done().complete(now);
            }
        }
    }

    /** The consumer groups that deliver the subscription: one per channel it uses. */
    private List<String> channelGroups(Subscription subscription) {
        List<String> groups = new ArrayList<>(2);
        if (subscription.delivery().webhook() != null) {
            groups.add(config.deliveryGroup());
        }
        if (subscription.delivery().redis() != null) {
            groups.add(config.redisGroup());
        }
        return groups;
    }

    /** The last stable offsets: records of open transactions are not counted until they commit. */
    private Map<TopicPartition, Long> ends(List<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).forEach((p, info) -> ends.put(p, info.offset()));
        return ends;
    }

    private Map<TopicPartition, Long> committed(String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> committed = new HashMap<>();
        offsets.forEach((partition, offset) -> {
            if (offset != null) {
                committed.put(partition, offset.offset());
            }
        });
        return committed;
    }

    private Map<TopicPartition, Long> committedQuietly(String group) {
        try {
            return committed(group);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the committed offsets of " + group, e);
        }
    }

    private List<TopicPartition> partitionsOf(String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, KAFKA_TIMEOUT);
        return infos == null ? List.of() : infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
