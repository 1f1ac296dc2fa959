package io.datamanager.history.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.DeadLetterHeaders;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.Op;
import io.datamanager.model.RowKey;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A batch big enough to be parsed and written by several writers at once, each its own partitions of dm.changes: a
 * record one writer dead-letters does not keep the others' versions out, and the dm.types headers the writers store
 * for one table at the same time all reach its row.
 */
@QuarkusTest
@QuarkusTestResource(value = ContextResource.class, restrictToAnnotatedClass = true)
class ParallelPartsIT {
    private static final int PARTITIONS = 2;
    private static final int PER_PARTITION = 600;
    @Inject
    Ingests ingests;
    @Inject
    DataSource dataSource;
    private long lsn = 0xA000000;

    @AfterEach
    void stopIngests() throws InterruptedException {
        ingests.stopAll();
    }

    @Test
    void aDeadLetterInOnePartitionAndEachPartitionsTypesAreStoredWithTheWholeBatch() throws Exception {
        String topics = Ingests.topics(ContextResource.PREFIX + ".parallel", PARTITIONS);
        String table = "public.parallel_parts";
        List<ChangeEvent> sent = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            // each partition's header names another column, and each partition is a part of its own: the table's row gets both
            String types = "{\"id\":\"int32|int4\",\"c" + p + "\":\"string|text\"}";
            for (int i = 0; i < PER_PARTITION; i++) {
                if (p == 1 && i == PER_PARTITION / 2) {
                    records.add(new ProducerRecord<>(topics + ".changes", p, null, "{not a change event".getBytes(StandardCharsets.UTF_8)));
                }
                ChangeEvent event = event(table, p * 10_000 + i);
                sent.add(event);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topics + ".changes", p, event.key().getBytes(StandardCharsets.UTF_8),
                        event.toJson());
                record.headers().add("dm.types", types.getBytes(StandardCharsets.UTF_8));
                records.add(record);
            }
        }
        produce(records); // all before the ingest starts: its first polls hold several partitions
        double letters = deadLettered();

        ingests.start(topics, "g", PARTITIONS * PER_PARTITION + 1);
        Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> ingests.count("SELECT count(*) FROM dm_version WHERE table_name = ?", table) >= sent.size());
        Ingests.awaitCommitted(topics, "g", "changes");

        assertThat(deadLettered() - letters).as("dead letters").isEqualTo(1);
        ConsumerRecord<byte[], byte[]> letter = deadLetter(topics);
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.SOURCE_PARTITION).value(), StandardCharsets.UTF_8)).isEqualTo("1");
        assertThat(new String(letter.headers().lastHeader(DeadLetterHeaders.SOURCE_OFFSET).value(), StandardCharsets.UTF_8))
                .isEqualTo(Integer.toString(PER_PARTITION / 2));
        assertThat(ingests.versions.storedOffsets(topics + ".changes")).as("every record read counts, the dead letter too")
                .isEqualTo(Map.of(0, (long) PER_PARTITION, 1, PER_PARTITION + 1L));
        ingests.assertExactlyOnce(table, sent);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT column_types::text FROM dm_table WHERE table_name = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(Json.mapper().readTree(rs.getString(1))).as("column types of every partition's header")
                        .isEqualTo(Json.mapper().readTree("{\"id\":\"int32|int4\",\"c0\":\"string|text\",\"c1\":\"string|text\"}"));
            }
        }
    }

    private double deadLettered() {
        return ingests.registry.counter("dm.history.records.dead.lettered").count();
    }

    private ChangeEvent event(String table, int id) {
        ObjectNode pk = Json.mapper().createObjectNode().put("id", id);
        Lsn at = new Lsn(lsn += 0x100);
        Instant now = Instant.now();
        return new ChangeEvent(1, RowKey.eventId(table, pk, at), table, Op.INSERT, pk, null,
                Json.mapper().createObjectNode().put("id", id).put("c" + id / 10_000, "v" + id), List.of(), true, List.of(), at.toString(),
                at.value() / 0x100, now, now);
    }

    /** The one record on the prefix's dm.dlq. */
    private static ConsumerRecord<byte[], byte[]> deadLetter(String prefix) {
        Properties props = new Properties();
        props.put("bootstrap.servers", ContextResource.bootstrap);
        props.put("group.id", prefix + "-dlq-reader");
        props.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(prefix + ".dlq"));
            List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
                return !read.isEmpty();
            });
            assertThat(read).hasSize(1);
            return read.get(0);
        }
    }

    private static void produce(List<ProducerRecord<byte[], byte[]>> records) {
        Properties props = new Properties();
        props.put("bootstrap.servers", ContextResource.bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
            for (var record : records) {
                sends.add(producer.send(record));
            }
            for (var send : sends) {
                send.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
