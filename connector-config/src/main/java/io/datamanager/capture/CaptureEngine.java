package io.datamanager.capture;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.ChangeEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium running inside a JVM of ours, configured by the same {@code application.properties} as
 * Debezium Server and writing the same records to Kafka: schemaless JSON key and value, the
 * {@code dm.types} header. A batch's offsets are committed only after Kafka acknowledged every record of
 * it, so a crash replays (never loses) changes; the deterministic event id lets consumers drop replays.
 */
public final class CaptureEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureEngine.class);

    private final DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;
    private final KafkaProducer<byte[], byte[]> producer;
    private final JsonConverter keys = new JsonConverter();
    private final JsonConverter values = new JsonConverter();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "dm-capture"));
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Throwable failure;

    private CaptureEngine(ServerConfig config) {
        keys.configure(Map.of("schemas.enable", Boolean.toString(config.schemasEnabled("key"))), true);
        values.configure(Map.of("schemas.enable", Boolean.toString(config.schemasEnabled("value"))), false);
        Properties producerProps = config.producer();
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producerProps.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "dm-capture");
        this.producer = new KafkaProducer<>(producerProps);

        Properties connector = config.connector();
        connector.putIfAbsent("name", "dm-capture");
        this.engine = DebeziumEngine.create(Connect.class)
                .using(connector)
                .notifying(this::handleBatch)
                .using((success, message, error) -> {
                    if (!success) {
                        failure = error != null ? error : new IllegalStateException(message);
                        LOG.error("capture stopped: {}", message, error);
                    } else {
                        LOG.info("capture stopped: {}", message);
                    }
                    stopped.countDown();
                })
                .build();
    }

    /** Starts capturing in a background thread; returns at once. */
    public static CaptureEngine start(ServerConfig config) {
        CaptureEngine capture = new CaptureEngine(config);
        capture.executor.execute(capture.engine);
        LOG.info("capture started: {}:{}/{} -> {}.*", config.get("debezium.source.database.hostname"),
                config.get("debezium.source.database.port"), config.get("debezium.source.database.dbname"),
                config.topicPrefix());
        return capture;
    }

    private void handleBatch(List<ChangeEvent<SourceRecord, SourceRecord>> batch,
            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
        List<Future<RecordMetadata>> sent = new ArrayList<>(batch.size());
        for (ChangeEvent<SourceRecord, SourceRecord> event : batch) {
            sent.add(producer.send(toKafka(event.value())));
        }
        for (Future<RecordMetadata> ack : sent) {
            try {
                ack.get();
            } catch (ExecutionException e) {
                // no offset is committed for this batch: a restart captures it again
                throw new IllegalStateException("Kafka did not accept a captured change", e.getCause());
            }
        }
        for (ChangeEvent<SourceRecord, SourceRecord> event : batch) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
    }

    ProducerRecord<byte[], byte[]> toKafka(SourceRecord record) {
        byte[] key = record.key() == null ? null : keys.fromConnectData(record.topic(), record.keySchema(), record.key());
        byte[] value = record.value() == null ? null : values.fromConnectData(record.topic(), record.valueSchema(), record.value());
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            Object v = header.value();
            if (v != null) {
                headers.add(header.key(), v.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return new ProducerRecord<>(record.topic(), null, key, value, headers);
    }

    /** The error that stopped capture, or null while it runs (or after a clean stop). */
    public Throwable failure() {
        return failure;
    }

    public boolean isRunning() {
        return stopped.getCount() > 0;
    }

    /** Stops capture: the current batch finishes, offsets are committed, the slot stays for the next start. */
    @Override
    public void close() {
        try {
            engine.close();
            if (!stopped.await(60, TimeUnit.SECONDS)) {
                LOG.warn("capture did not stop within 60 s");
            }
        } catch (IOException e) {
            LOG.warn("closing capture failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            executor.shutdownNow();
            producer.close();
        }
    }
}
