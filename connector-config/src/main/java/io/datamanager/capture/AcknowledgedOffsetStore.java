package io.datamanager.capture;

import io.debezium.embedded.KafkaConnectUtil;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.OffsetBackingStore;
import org.apache.kafka.connect.util.Callback;

/**
 * Capture's offsets in Kafka ({@code dm.offsets}), exactly as Debezium Server's {@code KafkaOffsetBackingStore} keeps
 * them, except that a read after the first is answered from what this process wrote and Kafka acknowledged.
 *
 * <p>Why: after every flushed batch (capture flushes offsets per batch, so {@code dm.offsets} shows how far it safely
 * wrote, for the consistency barrier) Debezium's PostgreSQL task reads its offsets back to confirm the LSN to the
 * replication slot, and the Kafka store answers every read by reading the topic to its end: a metadata request and a
 * fetch, 10-60 ms in which capture's poll loop stands still, per batch. The profile of the W1 pipeline showed 131
 * such waits in 91 s. This process is the topic's only writer (one capture per slot), so what it wrote and had
 * acknowledged is what reading to the end returns; the first read (at start, and for keys never written here) still
 * reads the topic, so a restart resumes from what is in Kafka.
 */
public final class AcknowledgedOffsetStore implements OffsetBackingStore {
    private OffsetBackingStore kafka;

    public AcknowledgedOffsetStore() {}

    /** Over a given store (tests); {@link #configure} then leaves it as it is. */
    AcknowledgedOffsetStore(OffsetBackingStore kafka) {
        this.kafka = kafka;
    }
    /** Keys read from Kafka or written and acknowledged since; a null value is a removed key. */
    private final Map<ByteBuffer, ByteBuffer> known = new HashMap<>();

    @Override
    public void configure(WorkerConfig config) {
        if (kafka == null) {
            kafka = KafkaConnectUtil.kafkaOffsetBackingStore(config.originalsStrings());
        }
        kafka.configure(config);
    }

    @Override
    public void start() {
        kafka.start();
    }

    @Override
    public void stop() {
        kafka.stop();
    }

    @Override
    public Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
        synchronized (known) {
            if (known.keySet().containsAll(keys)) {
                Map<ByteBuffer, ByteBuffer> answer = new HashMap<>();
                keys.forEach(k -> answer.put(k, known.get(k)));
                return CompletableFuture.completedFuture(answer);
            }
        }
        CompletableFuture<Map<ByteBuffer, ByteBuffer>> read = new CompletableFuture<>();
        Future<Map<ByteBuffer, ByteBuffer>> fromKafka = kafka.get(keys);
        try {
            Map<ByteBuffer, ByteBuffer> values = fromKafka.get();
            synchronized (known) {
                for (ByteBuffer key : keys) {
                    known.putIfAbsent(key, values.get(key)); // a write acknowledged meanwhile is newer than this read
                }
            }
            read.complete(values);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            read.completeExceptionally(e);
        } catch (Exception e) {
            read.completeExceptionally(e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e);
        }
        return read;
    }

    @Override
    public Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
        Map<ByteBuffer, ByteBuffer> written = new HashMap<>(values);
        return kafka.set(values, (error, result) -> {
            if (error == null) {
                synchronized (known) {
                    known.putAll(written);
                }
            }
            if (callback != null) {
                callback.onCompletion(error, result);
            }
        });
    }

    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return kafka.connectorPartitions(connectorName);
    }
}
