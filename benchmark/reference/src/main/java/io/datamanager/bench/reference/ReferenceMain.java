package io.datamanager.bench.reference;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The yardstick the benchmark measures datamanager against: bare Debezium as its documentation shows it, the
 * embedded engine with its default settings (JSON with schemas, file offsets flushed every minute) handing each
 * batch to a {@link KafkaProducer} with default settings, and marking the batch processed once Kafka acknowledged
 * it, as Debezium Server's Kafka sink does. Nothing here is tuned: only what the connector cannot run without
 * (where the database is, pgoutput, the slot and publication the benchmark created, no snapshot) is set.
 *
 * <p>Environment: {@code REF_PG_HOST}, {@code REF_PG_PORT}, {@code REF_PG_USER}, {@code REF_PG_PASSWORD},
 * {@code REF_PG_DATABASE}, {@code REF_SLOT}, {@code REF_PUBLICATION}, {@code REF_TOPIC_PREFIX},
 * {@code REF_KAFKA_BOOTSTRAP}, {@code REF_OFFSETS_FILE}, and {@code DM_PARENT_PID} (ends with that process).
 */
public final class ReferenceMain {
    private ReferenceMain() {}

    public static void main(String[] args) throws Exception {
        Properties producerProps = new Properties();
        producerProps.put("bootstrap.servers", env("REF_KAFKA_BOOTSTRAP"));
        KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());

        Properties props = new Properties();
        props.put("name", "reference");
        props.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        props.put("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        props.put("offset.storage.file.filename", env("REF_OFFSETS_FILE"));
        props.put("database.hostname", env("REF_PG_HOST"));
        props.put("database.port", env("REF_PG_PORT"));
        props.put("database.user", env("REF_PG_USER"));
        props.put("database.password", System.getenv().getOrDefault("REF_PG_PASSWORD", ""));
        props.put("database.dbname", env("REF_PG_DATABASE"));
        props.put("topic.prefix", env("REF_TOPIC_PREFIX"));
        props.put("plugin.name", "pgoutput");
        props.put("slot.name", env("REF_SLOT"));
        props.put("publication.name", env("REF_PUBLICATION"));
        // the benchmark creates the slot before it writes; the workload is read from the slot, not snapshotted
        props.put("snapshot.mode", "no_data");

        CountDownLatch stopped = new CountDownLatch(1);
        DebeziumEngine<ChangeEvent<String, String>> engine = DebeziumEngine.create(Json.class)
                .using(props)
                .notifying((List<ChangeEvent<String, String>> batch, DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer) -> {
                    List<Future<RecordMetadata>> sent = new ArrayList<>(batch.size());
                    for (ChangeEvent<String, String> event : batch) {
                        sent.add(producer.send(new ProducerRecord<>(event.destination(), event.key(), event.value())));
                    }
                    for (Future<RecordMetadata> ack : sent) {
                        try {
                            ack.get();
                        } catch (ExecutionException e) {
                            throw new IllegalStateException("Kafka did not accept a change", e.getCause());
                        }
                    }
                    for (ChangeEvent<String, String> event : batch) {
                        committer.markProcessed(event);
                    }
                    committer.markBatchFinished();
                })
                .using((success, message, error) -> {
                    if (!success) {
                        System.err.println("reference stopped: " + message);
                        if (error != null) {
                            error.printStackTrace();
                        }
                    }
                    stopped.countDown();
                })
                .build();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.execute(engine);
        Runnable close = () -> {
            try {
                engine.close();
                stopped.await(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                producer.close();
                executor.shutdownNow();
            }
        };
        String parent = System.getenv("DM_PARENT_PID");
        if (parent != null) {
            ProcessHandle.of(Long.parseLong(parent)).ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(close, "reference-stop"));
        stopped.await();
        System.exit(0); // the engine ended (failed, or closed by the hook): the executor's thread must not keep the JVM
    }

    private static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is not set");
        }
        return value;
    }
}
