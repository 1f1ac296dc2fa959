package io.datamanager.gateway.delivery;

import io.datamanager.model.TopicNames;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads every {@code dm.sub.<id>} topic in one consumer group (one per delivery channel: webhooks, Redis)
 * and gives each partition a worker of its own (a virtual thread), so a row's changes go out in order while
 * a slow endpoint holds up nothing but its own partitions. Offsets are committed only up to what the
 * workers have done: a crash delivers again, never drops. The committed offsets are also what the
 * consistency barrier reads to know a channel has delivered a subscription's topic up to a point.
 */
final class SubscriptionFeed {
    private static final int PAUSE_ABOVE = 1000;
    private static final long COMMIT_EVERY_MS = 20;

    private final String name;
    private final TopicNames topics;
    private final java.util.function.Function<String, PartitionWorker> newWorker;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<TopicPartition, PartitionWorker> workers = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean running;
    private Thread poller;
    private long lastCommit;

    /** A feed whose workers deliver up to {@code lanes} records of different keys at once ({@link PartitionWorker}). */
    SubscriptionFeed(String name, String bootstrap, String group, java.util.Optional<String> instanceId, TopicNames topics,
            PartitionWorker.Delivery delivery, int lanes) {
        this(name, bootstrap, group, instanceId, topics, subscription -> new PartitionWorker(subscription, delivery, lanes));
    }

    /** A feed whose workers hand over what they have read in batches ({@link PartitionWorker.Batches}). */
    SubscriptionFeed(String name, String bootstrap, String group, java.util.Optional<String> instanceId, TopicNames topics,
            PartitionWorker.Batches batches) {
        this(name, bootstrap, group, instanceId, topics, subscription -> new PartitionWorker(subscription, batches));
    }

    private SubscriptionFeed(String name, String bootstrap, String group, java.util.Optional<String> instanceId, TopicNames topics,
            java.util.function.Function<String, PartitionWorker> newWorker) {
        this.name = name;
        this.topics = topics;
        this.newWorker = newWorker;
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", group);
        instanceId.ifPresent(id -> props.put("group.instance.id", id + "-" + name));
        props.put("client.id", "dm-gateway-" + name);
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        props.put("isolation.level", "read_committed");
        props.put("metadata.max.age.ms", "2000");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    void start() {
        running = true;
        poller = new Thread(this::poll, "dm-" + name + "-poller");
        poller.start();
    }

    void stop() throws InterruptedException {
        running = false;
        consumer.wakeup();
        poller.join(10_000);
        threads.shutdownNow();
    }

    /** Records of the subscription read and not yet done. */
    long pending(String subscription) {
        return workers.values().stream().filter(w -> w.subscription.equals(subscription)).mapToLong(PartitionWorker::pending).sum();
    }

    private void poll() {
        Pattern pattern = Pattern.compile(Pattern.quote(topics.prefix() + ".sub.") + ".+");
        consumer.subscribe(pattern, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                commit(true);
                partitions.forEach(p -> {
                    PartitionWorker worker = workers.remove(p);
                    if (worker != null) {
                        worker.stop();
                    }
                });
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                // workers start with the first record or position of their partition
            }
        });
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    worker(new TopicPartition(record.topic(), record.partition())).enqueue(record);
                }
                for (TopicPartition partition : consumer.assignment()) {
                    if (!consumer.paused().contains(partition)) {
                        worker(partition).reached(consumer.position(partition));
                    }
                }
                for (Map.Entry<TopicPartition, PartitionWorker> entry : workers.entrySet()) {
                    long pending = entry.getValue().pending();
                    if (pending > PAUSE_ABOVE) {
                        consumer.pause(List.of(entry.getKey()));
                    } else if (pending < PAUSE_ABOVE / 10 && consumer.paused().contains(entry.getKey())) {
                        consumer.resume(List.of(entry.getKey()));
                    }
                }
                commit(false);
            }
        } catch (WakeupException e) {
            // stopping
        } finally {
            workers.values().forEach(PartitionWorker::stop);
            commit(true);
            consumer.close();
        }
    }

    private PartitionWorker worker(TopicPartition partition) {
        return workers.computeIfAbsent(partition, p -> {
            PartitionWorker worker = newWorker.apply(p.topic().substring(topics.prefix().length() + ".sub.".length()));
            threads.execute(worker);
            return worker;
        });
    }

    private void commit(boolean now) {
        long time = System.currentTimeMillis();
        if (!now && time - lastCommit < COMMIT_EVERY_MS) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        workers.forEach((partition, worker) -> worker.committable().ifPresent(o -> offsets.put(partition, new OffsetAndMetadata(o))));
        if (!offsets.isEmpty()) {
            consumer.commitSync(offsets);
            lastCommit = time;
        }
    }
}
