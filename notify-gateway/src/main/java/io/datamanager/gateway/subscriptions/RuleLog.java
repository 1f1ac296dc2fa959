package io.datamanager.gateway.subscriptions;

import io.datamanager.gateway.config.GatewayConfig;
import io.datamanager.model.TopicNames;
import io.datamanager.model.subscription.Subscription;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * The compacted {@code dm.rules} topic is the one source of truth for subscriptions: this gateway writes
 * to it and keeps a view read back from it (from the beginning at start), so every gateway instance
 * agrees. A write returns once the view has read it back, so the API reads its own writes.
 */
@ApplicationScoped
public class RuleLog {
    private static final Logger LOG = Logger.getLogger(RuleLog.class);
    private final GatewayConfig config;
    private final TopicNames topics;
    private final Map<String, Subscription> view = new ConcurrentHashMap<>();
    private final Map<String, Rejected> rejected = new ConcurrentHashMap<>();
    private final java.util.Set<String> existingTopics = ConcurrentHashMap.newKeySet();
    private final Object progress = new Object();
    private volatile long position = -1; // next offset the view will read of dm.rules (one partition)
    private volatile boolean running;
    private KafkaProducer<String, byte[]> producer;
    private KafkaConsumer<String, byte[]> consumer;
    private Admin admin;
    private Thread reader;

    RuleLog(GatewayConfig config) {
        this.config = config;
        this.topics = new TopicNames(config.topicPrefix());
    }

    void onStart(@Observes StartupEvent event) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", config.kafkaBootstrap());
        admin = Admin.create(props);
        create(new NewTopic(topics.rules(), TopicNames.RULES_PARTITIONS, config.replicationFactor())
                .configs(TopicNames.RULES_CONFIGS));
        existingTopics.addAll(admin.listTopics().names().get(30, TimeUnit.SECONDS));
        Properties producerProps = new Properties();
        producerProps.putAll(props);
        producerProps.put("acks", "all");
        producerProps.put("enable.idempotence", "true");
        producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        Properties consumerProps = new Properties();
        consumerProps.putAll(props);
        consumerProps.put("enable.auto.commit", "false");
        consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        TopicPartition partition = new TopicPartition(topics.rules(), 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        long end = consumer.endOffsets(List.of(partition)).get(partition);
        running = true;
        reader = new Thread(() -> read(partition), "dm-rules-view");
        reader.start();
        awaitPosition(end, Duration.ofSeconds(60));
        LOG.infof("%d subscription(s) read from %s", view.size(), topics.rules());
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
            reader.join(10_000);
        }
        if (producer != null) {
            producer.close();
            admin.close();
        }
    }

    private void read(TopicPartition partition) {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    apply(record);
                }
                synchronized (progress) {
                    position = consumer.position(partition);
                    progress.notifyAll();
                }
            }
        } catch (WakeupException e) {
            // stopping
        } finally {
            consumer.close();
        }
    }

    /**
     * A rule of the log, written here or produced to the topic by anyone: a valid one joins the view (its topic is
     * created when it is missing, for clusters that do not create topics on first use), an invalid one is kept as
     * rejected with its reason (the streams-app dead-letters it and it matches nothing), a tombstone removes both.
     */
    private void apply(ConsumerRecord<String, byte[]> record) {
        String id = record.key();
        if (id == null) {
            LOG.warnf("record at offset %d of %s has no key (the subscription id); ignored", record.offset(), topics.rules());
            return;
        }
        if (record.value() == null) {
            view.remove(id);
            rejected.remove(id);
            return;
        }
        try {
            Subscription subscription = Subscription.fromJson(record.value());
            if (!subscription.id().equals(id)) {
                throw new io.datamanager.model.ValidationException("id", "'" + subscription.id() + "' differs from the record key '" + id + "'");
            }
            ensureTopic(subscription.id());
            view.put(id, subscription);
            rejected.remove(id);
        } catch (RuntimeException e) {
            view.remove(id);
            rejected.put(id, new Rejected(e.getMessage(), record.offset()));
            LOG.warnf("record %s at offset %d of %s is not a valid subscription, so it matches nothing: %s", id, record.offset(),
                    topics.rules(), e.getMessage());
        }
    }

    public TopicNames topics() {
        return topics;
    }

    /** Why the rule last produced for this id is not a subscription, when it is not. */
    public Optional<Rejected> rejected(String id) {
        return Optional.ofNullable(rejected.get(id));
    }

    /** A rule of the log that is not a valid subscription: the reason, and where it is in the topic. */
    public record Rejected(String reason, long offset) {}

    private void ensureTopic(String id) {
        String topic = topics.subscription(id);
        if (existingTopics.contains(topic)) {
            return;
        }
        try {
            create(new NewTopic(topic, config.partitions(), config.replicationFactor()));
            existingTopics.add(topic);
        } catch (Exception e) {
            LOG.warnf(e, "could not create %s for a rule produced to %s", topic, topics.rules());
        }
    }

    /** Creates the subscription's topic, then publishes the rule, so no matching change can miss the topic. */
    public void put(Subscription subscription) throws Exception {
        create(new NewTopic(topics.subscription(subscription.id()), config.partitions(), config.replicationFactor()));
        existingTopics.add(topics.subscription(subscription.id()));
        long offset = producer.send(new ProducerRecord<>(topics.rules(), subscription.id(), subscription.toJson())).get().offset();
        awaitPosition(offset + 1, Duration.ofSeconds(30));
    }

    /** Publishes the tombstone; the subscription's topic stays for consumers still reading it. */
    public void delete(String id) throws Exception {
        long offset = producer.send(new ProducerRecord<>(topics.rules(), id, null)).get().offset();
        awaitPosition(offset + 1, Duration.ofSeconds(30));
    }

    public Optional<Subscription> get(String id) {
        return Optional.ofNullable(view.get(id));
    }

    public Collection<Subscription> all() {
        return view.values();
    }

    private void awaitPosition(long target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (position < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(topics.rules() + " was not read back within " + timeout);
                }
                progress.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
            }
        }
    }

    private void create(NewTopic topic) throws Exception {
        try {
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}
