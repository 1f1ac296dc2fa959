package io.datamanager.history.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.Op;
import io.datamanager.model.RowKey;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Prints how fast the ingest drains a {@code dm.changes} written before it started (versions/s, and this JVM's CPU per
 * version): the history-alone stage of {@code ./datamanager bench} without the pipeline in front of it, to compare two
 * builds of the ingest in turns. On the test PostgreSQL (fsync off), so not a figure for the durable aim. Not part of
 * the suite: {@code ./mvnw -pl history-sink -am verify -Dtest=IngestBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Ddm.benchmark=true [-Ddm.benchmark.versions=N] [-Ddm.benchmark.rounds=R]}.
 */
@QuarkusTest
@QuarkusTestResource(value = ContextResource.class, restrictToAnnotatedClass = true)
@EnabledIfSystemProperty(named = "dm.benchmark", matches = "true")
class IngestBenchmark {
    private static final int PARTITIONS = 3;
    @Inject
    Ingests ingests;
    private long lsn = 0xB000000;

    @AfterEach
    void stopIngests() throws InterruptedException {
        ingests.stopAll();
    }

    @Test
    void drainRate() throws Exception {
        int versions = Integer.getInteger("dm.benchmark.versions", 100_000);
        int rounds = Integer.getInteger("dm.benchmark.rounds", 3);
        List<String> prefixes = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) { // all made first: a topic made just before it is written was seen to expire batches
            prefixes.add(Ingests.topics(ContextResource.PREFIX + ".bench" + round, PARTITIONS));
        }
        for (int round = 1; round <= rounds; round++) {
            String topics = prefixes.get(round - 1);
            String table = "public.ingest_bench_" + round;
            produce(topics, table, versions);
            var os = ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);
            long cpu = os.getProcessCpuTime();
            long began = System.nanoTime();
            ingests.start(topics, "g", null);
            // the table's count row, not count(*): the wait must not cost the database what it measures
            Awaitility.await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> ingests.count("SELECT version_count FROM dm_table WHERE table_name = ?", table) >= versions);
            double seconds = (System.nanoTime() - began) / 1e9;
            double cpuMicros = (os.getProcessCpuTime() - cpu) / 1e3 / versions;
            System.out.printf("ingest round %d: %,d versions in %.2f s = %,.0f versions/s; this JVM %.0f µs CPU per version; load %s%n",
                    round, versions, seconds, versions / seconds, cpuMicros,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            ingests.stopAll();
        }
    }

    /** Inserts, then updates of the same rows, each image about 200 bytes, keyed by row as the streams-app writes them. */
    private void produce(String prefix, String table, int versions) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", ContextResource.bootstrap);
        props.put("compression.type", "lz4");
        props.put("linger.ms", "20");
        props.put("batch.size", "262144");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            int rows = versions / 2;
            List<Future<RecordMetadata>> sent = new ArrayList<>(versions);
            for (int i = 0; i < versions; i++) {
                int id = i % rows;
                ObjectNode pk = Json.mapper().createObjectNode().put("id", id);
                Lsn at = new Lsn(lsn += 0x100);
                Instant now = Instant.now();
                ObjectNode after = Json.mapper().createObjectNode().put("id", id).put("status", i < rows ? "new" : "paid")
                        .put("customer", "customer-" + (id % 977)).put("note", "a note of some sixty characters, as an order row would carry it")
                        .put("total", 1000 + id % 5000 / 100.0).put("placed", "2026-12-02T08:00:00Z");
                ChangeEvent e = new ChangeEvent(1, RowKey.eventId(table, pk, at), table, i < rows ? Op.INSERT : Op.UPDATE, pk, null, after,
                        List.of(), true, List.of(), at.toString(), at.value() / 0x100, now, now);
                sent.add(producer.send(new ProducerRecord<>(prefix + ".changes", e.key().getBytes(StandardCharsets.UTF_8), e.toJson())));
            }
            for (var f : sent) {
                f.get(); // every record on the topic before the ingest starts, or the benchmark fails here
            }
        }
    }
}
