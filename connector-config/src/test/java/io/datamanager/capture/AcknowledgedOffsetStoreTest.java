package io.datamanager.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.OffsetBackingStore;
import org.apache.kafka.connect.util.Callback;
import org.junit.jupiter.api.Test;

class AcknowledgedOffsetStoreTest {
    /** A store holding its data in memory, counting reads, whose writes are acknowledged or failed as told. */
    static final class Topic implements OffsetBackingStore {
        final Map<ByteBuffer, ByteBuffer> data = new HashMap<>();
        final AtomicInteger reads = new AtomicInteger();
        boolean failWrites;

        @Override
        public Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
            reads.incrementAndGet();
            Map<ByteBuffer, ByteBuffer> answer = new HashMap<>();
            keys.forEach(k -> answer.put(k, data.get(k)));
            return CompletableFuture.completedFuture(answer);
        }

        @Override
        public Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
            if (failWrites) {
                callback.onCompletion(new IllegalStateException("not acknowledged"), null);
                return CompletableFuture.failedFuture(new IllegalStateException("not acknowledged"));
            }
            data.putAll(values);
            callback.onCompletion(null, null);
            return CompletableFuture.completedFuture(null);
        }

        @Override public void start() {}
        @Override public void stop() {}
        @Override public Set<Map<String, Object>> connectorPartitions(String connectorName) { return Set.of(); }
        @Override public void configure(WorkerConfig config) {}
    }

    private static ByteBuffer b(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theFirstReadGoesToKafkaAndLaterOnesAnswerWhatWasAcknowledged() throws Exception {
        Topic topic = new Topic();
        topic.data.put(b("slot"), b("lsn-1"));
        AcknowledgedOffsetStore store = new AcknowledgedOffsetStore(topic);

        assertThat(store.get(List.of(b("slot"))).get()).containsEntry(b("slot"), b("lsn-1"));
        assertThat(topic.reads).hasValue(1);

        store.set(Map.of(b("slot"), b("lsn-2")), (e, v) -> {}).get();
        assertThat(store.get(List.of(b("slot"))).get()).containsEntry(b("slot"), b("lsn-2"));
        assertThat(topic.reads).as("read back from what was acknowledged, not from the topic").hasValue(1);
    }

    @Test
    void aWriteKafkaDidNotAcknowledgeIsNeverReadBack() throws Exception {
        Topic topic = new Topic();
        AcknowledgedOffsetStore store = new AcknowledgedOffsetStore(topic);
        store.set(Map.of(b("slot"), b("lsn-1")), (e, v) -> {}).get();
        topic.failWrites = true;
        List<Throwable> told = new java.util.ArrayList<>();
        assertThatThrownBy(() -> store.set(Map.of(b("slot"), b("lsn-2")), (e, v) -> told.add(e)).get()).isInstanceOf(ExecutionException.class);
        assertThat(told).as("the caller hears of the failure").hasSize(1);
        assertThat(store.get(List.of(b("slot"))).get()).containsEntry(b("slot"), b("lsn-1"));
    }

    @Test
    void aKeyNeverSeenIsReadFromKafka() throws Exception {
        Topic topic = new Topic();
        AcknowledgedOffsetStore store = new AcknowledgedOffsetStore(topic);
        store.set(Map.of(b("a"), b("1")), (e, v) -> {}).get();
        topic.data.put(b("b"), b("2"));
        assertThat(store.get(List.of(b("a"), b("b"))).get()).containsEntry(b("a"), b("1")).containsEntry(b("b"), b("2"));
        assertThat(topic.reads).hasValue(1);
    }
}
