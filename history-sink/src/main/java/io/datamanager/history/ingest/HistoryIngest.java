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
 * a record that is not a ChangeEvent goes to {@code dm.dlq} and the ingest goes on. One thread polls; parser threads
 * parse each batch (parsing is most of the CPU) while the writer threads store the batch before it, so the JVM's
 * parsing and the database's writing run at once, on every core the machine has.
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
    /** Parse a batch in slices while the writers store the one before. */
    private final ExecutorService parsers;
    /** While a batch is being stored: how long a poll waits for the next one before the ingest waits for the store instead. */
    private static final Duration POLL_WHILE_STORING = Duration.ofMillis(20);

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
        java.util.concurrent.atomic.AtomicInteger parser = new java.util.concurrent.atomic.AtomicInteger();
        this.parsers = Executors.newFixedThreadPool(writers.length, r -> new Thread(r, "dm-history-parser-" + parser.getAndIncrement()));
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
        parsers.shutdown();
    }

    private final Map<TopicPartition, Long> lastCommitted = new HashMap<>();
    private StoredPositions positions;
    /** The batch the writers are storing (only the ingest thread reads or changes it). */
    private InFlight inFlight;

    /** A polled batch, parsed: dm.changes per partition (each in its order) and dm.context's messages. */
    private record Parsed(ConsumerRecords<byte[], byte[]> records, List<List<ChangesPart.Parsed>> changes, List<ContextRecord> context) {}

    private void run() {
        TopicNames topics = new TopicNames(config.topicPrefix());
        ensureContextTopic(topics.context()); // here, not at startup: Kafka being away must not hold the service's start
        positions = new StoredPositions(consumer, versions, topics.changes(), this::settleInFlight);
        consumer.subscribe(List.of(topics.changes(), topics.context()), positions);
        Duration backoff = Duration.ofMillis(200);
        try {
            while (running) {
                positions.place(); // partitions given while the database could not say where they start
                ConsumerRecords<byte[], byte[]> records = consumer.poll(inFlight == null ? Duration.ofMillis(500) : POLL_WHILE_STORING);
                InFlight landing = null;
                try {
                    Parsed next = records.isEmpty() ? null : parse(records, topics); // while the batch before is stored
                    if (inFlight != null) {
                        landing = inFlight;
                        inFlight = null;
                        land(landing);
                    }
                    if (next != null) {
                        inFlight = launch(next);
                    } else {
                        commitPositionsOrLater(); // past transaction markers, so the committed offset reaches the partition's end
                    }
                    backoff = Duration.ofMillis(200);
                } catch (Exception e) {
                    // nothing of the failed batch committed (the database may hold some of its parts): read it again after a pause
                    List<ConsumerRecords<byte[], byte[]>> unstored = new ArrayList<>();
                    if (inFlight != null) {
                        inFlight.settle(); // the parse of the next batch failed: the store before it must end before reading again
                        unstored.add(inFlight.records());
                        inFlight = null;
                    } else if (landing != null) {
                        unstored.add(landing.records());
                    }
                    unstored.add(records);
                    int count = unstored.stream().mapToInt(ConsumerRecords::count).sum();
                    LOG.errorf(e, "storing %d versions failed; retrying in %s", count, backoff);
                    retries.increment();
                    rewind(unstored);
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
            if (inFlight != null) {
                try {
                    land(inFlight); // stopping: what the writers stored is acknowledged, so a restart does not read it again
                } catch (Exception e) {
                    LOG.warnf(e, "the last batch was not stored whole; it is read again on the next start");
                }
            }
            consumer.close();
        }
    }

    /** Before partitions go to another consumer (during a poll): no store of them may still run. */
    private void settleInFlight() {
        if (inFlight != null) {
            inFlight.settle();
        }
    }

    private void commitPositionsOrLater() {
        try {
            commitPositions();
        } catch (KafkaException e) {
            // Kafka is away (restarting): nothing is lost by committing on a later poll
            LOG.warnf("committing the position failed (%s); again after the next poll", e.getMessage());
        }
    }

    /** Parses a poll: dm.context here (a message that is not one is dead-lettered), dm.changes in slices on the parsers. */
    private Parsed parse(ConsumerRecords<byte[], byte[]> records, TopicNames topics) throws Exception {
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
        return new Parsed(records, parseChanges(changes), context);
    }

    /**
     * Starts storing a parsed batch on up to {@code writers} connections at once, split by partition of dm.changes (a
     * row's versions share one, in order), each part with the offsets of its partitions in its transaction.
     */
    private InFlight launch(Parsed batch) {
        List<List<ChangesPart.Parsed>> parsed = batch.changes();
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
        TopicNames topics = new TopicNames(config.topicPrefix());
        BiConsumer<ConsumerRecord<byte[], byte[]>, Exception> deadLetter = (record, e) -> deadLetter(record, e, topics);
        List<Future<ChangesPart.Stored>> stores = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            ChangesPart part = parts.get(i);
            stores.add(writers[i].submit(() -> part.store(versions, knownTypes, deadLetter)));
        }
        return new InFlight(batch.records(), stores, batch.context());
    }

    /**
     * Waits for a batch's versions, then stores its context messages (after the versions: a failure reads the whole
     * batch again, and both skip what they hold), takes the column types it stored as known, and commits its offsets.
     */
    private void land(InFlight batch) throws Exception {
        List<ChangesPart.Stored> written = batch.await();
        stored.increment(written.stream().mapToInt(ChangesPart.Stored::versions).sum());
        contexts.insert(batch.context());
        contextsStored.increment(batch.context().size());
        rememberTypes(written); // only once stored: a failed batch parses them again
        commitStored(batch.records());
    }

    /** Each dm.changes partition's records parsed, in its order: slices of the poll on the parsers at once, a small poll here. */
    private List<List<ChangesPart.Parsed>> parseChanges(List<List<ConsumerRecord<byte[], byte[]>>> partitions) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        partitions.forEach(all::addAll);
        int slices = Math.min(writers.length, Math.max(1, all.size() / 250));
        List<ChangesPart.Parsed> done = new ArrayList<>(all.size());
        if (slices == 1) {
            all.forEach(r -> done.add(ChangesPart.parse(r, policies, redaction)));
        } else {
            List<Future<List<ChangesPart.Parsed>>> work = new ArrayList<>();
            for (int i = 0; i < slices; i++) {
                List<ConsumerRecord<byte[], byte[]>> slice = all.subList(all.size() * i / slices, all.size() * (i + 1) / slices);
                work.add(parsers.submit(() -> slice.stream().map(r -> ChangesPart.parse(r, policies, redaction)).toList()));
            }
            for (Future<List<ChangesPart.Parsed>> slice : work) {
                try {
                    done.addAll(slice.get());
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
        }
        List<List<ChangesPart.Parsed>> out = new ArrayList<>();
        int at = 0;
        for (List<ConsumerRecord<byte[], byte[]>> partition : partitions) {
            out.add(done.subList(at, at + partition.size()));
            at += partition.size();
        }
        return out;
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
     * Commits, for each partition of a stored batch still assigned here, the offset after its last record. Not the
     * consumer's position: the next batch has been polled by then and is not stored yet.
     */
    private void commitStored(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> moved = new HashMap<>();
        Set<TopicPartition> assigned = consumer.assignment();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> read = records.records(partition);
            long next = read.get(read.size() - 1).offset() + 1;
            Long committed = lastCommitted.get(partition);
            if (assigned.contains(partition) && (committed == null || next > committed)) {
                moved.put(partition, new OffsetAndMetadata(next));
            }
        }
        if (!moved.isEmpty()) {
            consumer.commitSync(moved);
            moved.forEach((partition, offset) -> lastCommitted.put(partition, offset.offset()));
        }
    }

    /**
     * Reads the batches again (a stored one and the one polled after it, or one): dm.context from its first record
     * among them, dm.changes from where the database holds each partition (a writer that committed its partitions
     * moved them on; another consumer may have), else from there too. Partitions gone to another consumer meanwhile
     * are its to read.
     */
    private void rewind(List<ConsumerRecords<byte[], byte[]>> batches) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (ConsumerRecords<byte[], byte[]> records : batches) {
            for (TopicPartition partition : records.partitions()) {
                first.merge(partition, records.records(partition).get(0).offset(), Math::min);
            }
        }
        first.keySet().retainAll(consumer.assignment());
        first.forEach(consumer::seek);
        positions.replace(first.keySet());
    }
}
