package io.datamanager.streams.it;

import io.datamanager.streams.topology.ContextCheck;
import io.datamanager.streams.topology.PipelineMetrics;
import io.datamanager.streams.topology.PipelineTopology;
import io.datamanager.streams.topology.Topics;
import io.datamanager.testsupport.TestKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The streams-app's throughput with and without application context, in one run: the topology under Kafka Streams
 * ({@code exactly_once_v2}, one thread, the test broker) drains a backlog of Debezium records from {@code dm.cdc.*},
 * once without and once with a {@code dm.context} header on every record, in alternating rounds. Rate = records
 * committed between the first commit and the last, over that time (start and rebalance left out). Run:
 * {@code ./mvnw -pl streams-app -am verify -Dtest=ContextStreamsBenchmark -Ddm.benchmark=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "dm.benchmark", matches = "true")
class ContextStreamsBenchmark {
    private static final int CHANGES = Integer.getInteger("dm.benchmark.changes", 60_000);
    private static final byte[] CONTEXT = "\"{\\\"user\\\":\\\"alice\\\",\\\"request\\\":\\\"r-81\\\",\\\"source\\\":\\\"billing-job\\\"}\""
            .getBytes(StandardCharsets.UTF_8);
    private final String bootstrap = TestKafka.shared().bootstrapServers();

    @Test
    void changesPerSecondThroughKafkaStreamsWithAndWithoutContext() throws Exception {
        for (int round = 0; round < 4; round++) { // round 1 warms up; the order alternates, so neither always goes first
            run(round % 2 == 0 ? "no context" : "context header on every change", round, round % 2 != 0);
            run(round % 2 == 0 ? "context header on every change" : "no context", round, round % 2 == 0);
        }
    }

    private void run(String name, int round, boolean context) throws Exception {
        String prefix = "sb" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String input = prefix + ".cdc.public.orders";
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(input, 3, (short) 1), new NewTopic(prefix + ".changes", 3, (short) 1),
                    new NewTopic(prefix + ".dlq", 3, (short) 1), new NewTopic(prefix + ".rules", 1, (short) 1),
                    new NewTopic(prefix + ".context", 3, (short) 1), new NewTopic(prefix + ".cdc.message", 1, (short) 1)))
                    .all().get();
            produce(input, context);
            long total = admin.listOffsets(Map.of(new TopicPartition(input, 0), org.apache.kafka.clients.admin.OffsetSpec.latest(),
                    new TopicPartition(input, 1), org.apache.kafka.clients.admin.OffsetSpec.latest(), new TopicPartition(input, 2),
                    org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get().values().stream().mapToLong(o -> o.offset()).sum();
            // a record the test broker refused while the topic was new is simply not in the backlog: the rate counts what is
            produce(prefix + ".rules", "paid", "{\"id\":\"paid\",\"table\":\"public.orders\",\"filters\":[{\"column\":\"status\","
                    + "\"op\":\"eq\",\"value\":\"paid\"}]}");

            String appId = "dm-streams-" + prefix;
            Properties props = new Properties();
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            props.put(StreamsConfig.STATE_DIR_CONFIG, TestKafka.workDir().resolve("state-" + prefix).toString());
            props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
            props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
            props.put(StreamsConfig.consumerPrefix("isolation.level"), "read_committed");
            long started = System.nanoTime();
            long firstCommitAt = 0;
            long committedAtFirst = 0;
            try (KafkaStreams streams = new KafkaStreams(PipelineTopology.build(new StreamsBuilder(), Topics.withPrefix(prefix),
                    PipelineMetrics.NONE, letter -> { }, new ContextCheck(ContextCheck.DEFAULT_MAX_BYTES)), props)) {
                streams.start();
                long[] first = {0, 0}; // when the first commit was seen, and how many it held
                org.awaitility.Awaitility.await("all " + total + " committed").atMost(java.time.Duration.ofMinutes(10))
                        .pollDelay(java.time.Duration.ZERO).pollInterval(java.time.Duration.ofMillis(50)).until(() -> {
                            long committed = committed(admin, appId, input);
                            if (committed > 0 && first[0] == 0) {
                                first[0] = System.nanoTime();
                                first[1] = committed;
                            }
                            return committed >= total;
                        });
                firstCommitAt = first[0];
                committedAtFirst = first[1];
                long done = System.nanoTime();
                double seconds = (done - firstCommitAt) / 1e9;
                System.out.printf("streams %s round %d: %,d changes; %,.0f changes/s from the first commit (%,d) to the last, %.2f s; "
                        + "%.1f s in all; load %s%n", name, round + 1, total, (total - committedAtFirst) / seconds, committedAtFirst,
                        seconds, (done - started) / 1e9, Files.readString(Path.of("/proc/loadavg")).trim());
                streams.close(java.time.Duration.ofSeconds(30));
            }
        }
    }

    private static long committed(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(5, TimeUnit.SECONDS);
        return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
    }

    private void produce(String topic, boolean context) {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < CHANGES; i++) {
                long lsn = 0x1000000L + i * 0x100L;
                RecordHeaders headers = new RecordHeaders();
                headers.add("dm.types", "{\"id\":\"int32|int4\",\"status\":\"string|text\",\"note\":\"string|text\"}"
                        .getBytes(StandardCharsets.UTF_8));
                if (context) {
                    headers.add(ContextCheck.HEADER, CONTEXT);
                }
                String key = "{\"id\":" + i + "}";
                String value = "{\"before\":null,\"after\":{\"id\":" + i + ",\"status\":\"" + (i % 2 == 0 ? "paid" : "new")
                        + "\",\"note\":\"row " + i + "\"},\"source\":{\"schema\":\"public\",\"table\":\"orders\",\"lsn\":" + lsn
                        + ",\"txId\":" + (700 + i) + ",\"ts_us\":" + (System.currentTimeMillis() * 1000) + ",\"sequence\":\"[\\\""
                        + (lsn - 1) + "\\\",\\\"" + lsn + "\\\"]\"},\"op\":\"c\",\"ts_us\":" + (System.currentTimeMillis() * 1000) + "}";
                producer.send(new ProducerRecord<>(topic, null, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8),
                        headers));
            }
        }
    }

    private void produce(String topic, String key, String value) {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
