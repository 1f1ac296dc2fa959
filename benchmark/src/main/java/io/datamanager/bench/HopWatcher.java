package io.datamanager.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where a change's latency goes: when each row of the latency table first became readable on each topic it passes
 * through (capture's {@code dm.cdc.public.<table>}, the streams-app's {@code dm.changes} and the subscription's
 * {@code dm.sub.<id>}, the last two committed, as history and the gateway read them), each noted as this consumer saw
 * it. Read from each topic's end when the watch starts, one consumer and thread per topic, keys only (the row id).
 */
final class HopWatcher implements AutoCloseable {
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");

    private final Map<String, Map<Long, Instant>> seen = new LinkedHashMap<>();
    private final List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    /** Watches each topic under the name of its hop, in the order given. */
    HopWatcher(String bootstrap, Map<String, String> hopToTopic) {
        hopToTopic.forEach((hop, topic) -> {
            Map<Long, Instant> times = new ConcurrentHashMap<>();
            seen.put(hop, times);
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-hops-" + UUID.randomUUID());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // fixes the start here, before anything of the phase is written
            consumers.add(consumer);
            Thread thread = new Thread(() -> watch(consumer, times), "hops-" + topic);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        });
    }

    private void watch(KafkaConsumer<byte[], byte[]> consumer, Map<Long, Instant> times) {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    Instant at = Instant.now();
                    if (record.key() != null) {
                        Matcher m = ID.matcher(new String(record.key(), StandardCharsets.UTF_8));
                        if (m.find()) {
                            times.putIfAbsent(Long.parseLong(m.group(1)), at);
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    /** Per hop, milliseconds from each change's commit to when it was seen there (only changes whose commit time is known). */
    Map<String, List<Double>> millisFromCommit(Map<Long, Instant> commitTs) {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        seen.forEach((hop, times) -> {
            List<Double> ms = new ArrayList<>();
            commitTs.forEach((id, commit) -> {
                Instant at = times.get(id);
                if (at != null) {
                    ms.add(Duration.between(commit, at).toNanos() / 1e6);
                }
            });
            out.put(hop, ms);
        });
        return out;
    }

    @Override
    public void close() {
        running = false;
        consumers.forEach(KafkaConsumer::wakeup);
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
