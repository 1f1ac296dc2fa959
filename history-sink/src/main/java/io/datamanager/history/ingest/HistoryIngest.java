package io.datamanager.history.ingest;

import io.datamanager.history.config.HistoryConfig;
import io.datamanager.history.store.ContextRecord;
import io.datamanager.history.store.ContextStore;
import io.datamanager.history.store.PolicyStore;
import io.datamanager.history.store.Redaction;
import io.datamanager.history.store.VersionStore;
import io.datamanager.model.DeadLetterHeaders;
import io.datamanager.model.TopicNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

/**
 * Consumes {@code dm.changes} and stores every version, and {@code dm.context} and stores each transaction's
 * application context (one consumer, one commit: both topics have the same guarantees). The offsets of dm.changes a
 * batch read are stored in the database transaction of its versions, and each partition starts where the database
 * says ({@link StoredPositions}): a crash at any point neither loses nor doubles a version, and the group's Kafka
 * offsets, committed after the database's, are for monitoring and for dm.context (idempotent by its key). An event
 * that comes twice is still stored once (by its id). A database failure rewinds to the batch and retries with backoff;
 * a record that is not a ChangeEvent goes to {@code dm.dlq} and the ingest goes on. One thread polls; the writer threads
 * parse each batch (parsing is most of the CPU) and then write it, so the ingest uses every core it is given.
 */
@ApplicationScoped
public class HistoryIngest {
    private static final Logger LOG = Logger.getLogger(HistoryIngest.class);

    private final HistoryConfig config;
    /** The partitions of dm.context when this service is the first to need it (the contract's count; see TopicNames#context). */
    static final int CONTEXT_PARTITIONS = 3;
    private final VersionStore versions;
    private final ContextStore contexts;
    private final PolicyStore policies;
    private final Redaction redaction;
    private final Counter stored;
    private final Counter contextsStored;
    private final Counter deadLettered;
    private final Counter retries;
    private volatile boolean running;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> dlq;
    private Thread thread;
    /** The dm.types header text last stored per table: read by the writers, changed by the ingest thread between batches. */
    private final Map<String, String> knownTypes = new ConcurrentHashMap<>();
    private final ExecutorService[] writers;

    HistoryIngest(HistoryConfig config, VersionStore versions, ContextStore contexts, PolicyStore policies, MeterRegistry registry) {
        this.config = config;
        this.versions = versions;
        this.contexts = contexts;
        this.policies = policies;
        this.redaction = new Redaction(config.redactionKey());
        this.stored = Counter.builder("dm.history.versions.stored").register(registry);
        this.contextsStored = Counter.builder("dm.history.context.messages.stored").register(registry);
        this.deadLettered = Counter.builder("dm.history.records.dead.lettered").register(registry);
        this.retries = Counter.builder("dm.history.batch.retries").register(registry);
        this.writers = new ExecutorService[Math.max(1, config.writers())];
        for (int i = 0; i < writers.length; i++) {
            int index = i;
            writers[i] = Executors.newSingleThreadExecutor(r -> new Thread(r, "dm-history-writer-" + index));
        }
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.ingestEnabled()) {
            return;
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.batchSize()));
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false"); // dm.context is created below, with its partitions
        config.instanceId().ifPresent(id -> props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Properties producerProps = new Properties();
        producerProps.put("bootstrap.servers", config.kafkaBootstrap());
        producerProps.put("acks", "all");
        dlq = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        running = true;
        thread = new Thread(this::run, "dm-history-ingest");
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (thread == null) {
            return;
        }
        running = false;
        consumer.wakeup();
        thread.join(30_000);
        dlq.close();
        for (var writer : writers) {
            writer.shutdown();
        }
    }

    private final Map<TopicPartition, Long> lastCommitted = new HashMap<>();
    private StoredPositions positions;

    private void run() {
        TopicNames topics = new TopicNames(config.topicPrefix());
        ensureContextTopic(topics.context()); // here, not at startup: Kafka being away must not hold the service's start
        positions = new StoredPositions(consumer, versions, topics.changes());
        consumer.subscribe(List.of(topics.changes(), topics.context()), positions);
        Duration backoff = Duration.ofMillis(200);
        try {
            while (running) {
                positions.place(); // partitions given while the database could not say where they start
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    try {
                        commitPositions(); // past transaction markers, so the committed offset reaches the partition's end
                    } catch (KafkaException e) {
                        // Kafka is away (restarting): nothing is lost by committing on a later poll
                        LOG.warnf("committing the position failed (%s); again after the next poll", e.getMessage());
                    }
                    continue;
                }
                try {
                    store(records, topics);
                    commitPositions();
                    backoff = Duration.ofMillis(200);
                } catch (Exception e) {
                    // nothing committed: read the batch again after a pause
                    LOG.errorf(e, "storing %d versions failed; retrying in %s", records.count(), backoff);
                    retries.increment();
                    rewind(records);
                    Thread.sleep(backoff.toMillis());
                    backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : backoff.multipliedBy(2);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close();
        }
    }

    private void store(ConsumerRecords<byte[], byte[]> records, TopicNames topics) throws Exception {
        List<List<ConsumerRecord<byte[], byte[]>>> changes = new ArrayList<>(); // per partition of dm.changes, each in its order
        List<ContextRecord> context = new ArrayList<>();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> read = records.records(partition);
            if (partition.topic().equals(topics.changes())) {
                changes.add(read); // every record read counts, stored or not (untracked, dead letters)
                continue;
            }
            for (ConsumerRecord<byte[], byte[]> record : read) {
                ContextRecord message;
                try {
                    message = ContextRecord.parse(record.value());
                } catch (RuntimeException e) {
                    deadLetter(record, e, topics);
                    continue;
                }
                redaction.applyContext(message.context(), policies.redactedContextKeys());
                context.add(message);
            }
        }
        List<ChangesPart.Stored> written = write(changes, topics);
        contexts.insert(context); // after the versions: a failure reads the whole batch again, and both skip what they hold
        contextsStored.increment(context.size());
        rememberTypes(written); // only once stored: a failed batch parses them again
    }

    /**
     * Parses the batch on every writer at once (in slices of the poll, whatever their partitions), then writes it on up
     * to {@code writers} connections at once, split by partition of dm.changes (a row's versions share one, in order),
     * each part with the offsets of its partitions in its transaction; returns when all committed, throws when any
     * failed (the batch is then read again from where the database holds each partition).
     */
    private List<ChangesPart.Stored> write(List<List<ConsumerRecord<byte[], byte[]>>> partitions, TopicNames topics) throws Exception {
        if (partitions.isEmpty()) {
            return List.of(); // only dm.context in this poll
        }
        List<List<ChangesPart.Parsed>> parsed = parse(partitions);
        int size = parsed.stream().mapToInt(List::size).sum();
        int n = Math.min(Math.min(writers.length, parsed.size()), Math.max(1, size / 500));
        List<ChangesPart> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            parts.add(new ChangesPart());
        }
        List<List<ChangesPart.Parsed>> largestFirst = new ArrayList<>(parsed);
        largestFirst.sort(Comparator.comparingInt((List<?> p) -> p.size()).reversed());
        for (List<ChangesPart.Parsed> partition : largestFirst) { // each to the part with the fewest records yet
            parts.stream().min(Comparator.comparingInt(ChangesPart::size)).orElseThrow().add(partition);
        }
        BiConsumer<ConsumerRecord<byte[], byte[]>, Exception> deadLetter = (record, e) -> deadLetter(record, e, topics);
        List<Callable<ChangesPart.Stored>> stores = new ArrayList<>();
        for (ChangesPart part : parts) {
            stores.add(() -> part.store(versions, knownTypes, deadLetter));
        }
        List<ChangesPart.Stored> written = onWriters(stores);
        stored.increment(written.stream().mapToInt(ChangesPart.Stored::versions).sum());
        return written;
    }

    /** Each partition's records parsed, in its order: slices of the poll on the writers at once, a small poll here. */
    private List<List<ChangesPart.Parsed>> parse(List<List<ConsumerRecord<byte[], byte[]>>> partitions) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        partitions.forEach(all::addAll);
        int slices = Math.min(writers.length, Math.max(1, all.size() / 250));
        List<Callable<List<ChangesPart.Parsed>>> work = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            List<ConsumerRecord<byte[], byte[]>> slice = all.subList(all.size() * i / slices, all.size() * (i + 1) / slices);
            work.add(() -> slice.stream().map(r -> ChangesPart.parse(r, policies, redaction)).toList());
        }
        List<ChangesPart.Parsed> done = new ArrayList<>(all.size());
        onWriters(work).forEach(done::addAll);
        List<List<ChangesPart.Parsed>> out = new ArrayList<>();
        int at = 0;
        for (List<ConsumerRecord<byte[], byte[]>> partition : partitions) {
            out.add(done.subList(at, at + partition.size()));
            at += partition.size();
        }
        return out;
    }

    /** Runs the tasks, the i-th on writer i (one task on this thread); their results in order, or the first failure once all ended. */
    private <T> List<T> onWriters(List<Callable<T>> tasks) throws Exception {
        if (tasks.size() == 1) {
            return List.of(tasks.get(0).call());
        }
        List<Future<T>> running = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            running.add(writers[i].submit(tasks.get(i)));
        }
        List<T> results = new ArrayList<>();
        Exception failure = null;
        for (Future<T> f : running) {
            try {
                results.add(f.get());
            } catch (ExecutionException e) {
                failure = failure != null ? failure : e.getCause() instanceof Exception ex ? ex : e;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    /**
     * Takes the dm.types texts the parts stored as the ones the database holds. Two parts that stored different texts of
     * one table (its header changed within the batch) committed in an order not known here: the table is forgotten, so
     * its next header is stored again.
     */
    private void rememberTypes(List<ChangesPart.Stored> written) {
        Map<String, String> texts = new HashMap<>();
        Set<String> disagreed = new HashSet<>();
        for (ChangesPart.Stored part : written) {
            part.types().forEach((table, text) -> {
                String other = texts.putIfAbsent(table, text);
                if (other != null && !other.equals(text)) {
                    disagreed.add(table);
                }
            });
        }
        texts.forEach((table, text) -> {
            if (disagreed.contains(table)) {
                knownTypes.remove(table);
            } else {
                knownTypes.put(table, text);
            }
        });
    }

    /**
     * Creates dm.context when it is missing (the streams-app creates it too, whichever starts first), so the
     * subscription does not wait on a topic no one made; a failure only delays context until someone creates it.
     */
    private void ensureContextTopic(String topic) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        try (Admin admin = Admin.create(props)) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(CONTEXT_PARTITIONS), Optional.empty())))
                        .all().get(30, TimeUnit.SECONDS);
                LOG.infof("created topic %s", topic);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warnf(e, "could not create %s; its context is stored once it exists", topic);
            }
        } catch (KafkaException e) {
            LOG.warnf(e, "could not create %s; its context is stored once it exists", topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            LOG.warnf(e, "could not create %s; its context is stored once it exists", topic);
        }
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, Exception error, TopicNames topics) {
        LOG.warnf(error, "dead letter %s-%d@%d", record.topic(), record.partition(), record.offset());
        RecordHeaders headers = new RecordHeaders();
        headers.add(DeadLetterHeaders.STAGE, "history".getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.ERROR, String.valueOf(error.getMessage()).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_OFFSET, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        try {
            dlq.send(new ProducerRecord<>(topics.dlq(), null, record.key(), record.value(), headers)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot dead-letter a record, not committing its offset", e);
        }
        deadLettered.increment();
    }

    /**
     * Commits the consumer's position wherever it moved: after a stored batch that covers every partition of it, and
     * after an empty poll it covers the transaction markers of dm.changes, which take an offset but are never
     * returned (committing the last record's offset + 1 would leave the group one behind on every partition for
     * good). Everything before the position was returned by a poll and is stored.
     */
    private void commitPositions() {
        Map<TopicPartition, OffsetAndMetadata> moved = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            if (positions.waiting(partition)) {
                continue; // not yet sought to where the database holds it
            }
            long position = consumer.position(partition);
            Long committed = lastCommitted.get(partition);
            if (committed == null || position > committed) {
                moved.put(partition, new OffsetAndMetadata(position));
            }
        }
        if (!moved.isEmpty()) {
            consumer.commitSync(moved);
            moved.forEach((partition, offset) -> lastCommitted.put(partition, offset.offset()));
        }
    }

    /**
     * Reads the batch again: dm.context from its start, dm.changes from where the database holds each partition (a
     * writer that committed its partitions moved them on; another consumer may have), else from the batch's start.
     */
    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).get(0).offset());
        }
        positions.replace(records.partitions());
    }
}
