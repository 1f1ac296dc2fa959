package io.datamanager.history.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.history.store.IngestOffset;
import io.datamanager.history.store.VersionStore;
import io.datamanager.model.ChangeEvent;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once ingest through a real Kafka and PostgreSQL: the offsets of dm.changes are stored with the versions, so
 * the database, not the consumer group's committed offsets, says where ingest resumes. A crash between the database's
 * commit and Kafka's is played by moving the group's offsets back to the start while the ingest is stopped.
 */
@QuarkusTest
@QuarkusTestResource(value = ContextResource.class, restrictToAnnotatedClass = true)
class ExactlyOnceIngestIT {
    private static final int PARTITIONS = 3;
    @Inject
    Ingests ingests;
    @Inject
    DataSource dataSource;
    private long lsn = 0x9000000;

    @AfterEach
    void stopIngests() throws InterruptedException {
        ingests.stopAll();
    }

    @Test
    void whenTheGroupsOffsetsLagTheDatabaseIngestResumesWhereTheDatabaseIsAndReadsNothingTwice() throws Exception {
        String topics = topics("resume");
        String table = "public.eo_resume";
        ingests.start(topics, "g", 7);
        List<ChangeEvent> sent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            sent.add(event(table, i % 10)); // three versions of each of ten rows
        }
        send(topics, sent);
        double letters = deadLettered();
        poison(topics); // one record that is not a ChangeEvent on each partition: dead-lettered once, not again
        awaitVersions(table, 30);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> deadLettered() - letters == PARTITIONS);
        Ingests.awaitCommitted(topics, "g", "changes");
        stopIngests();

        // as if the ingest had died after the database's commit and before Kafka's: the group's offsets back at the start
        moveGroupToStart(topics, "g");
        List<ChangeEvent> later = new ArrayList<>();
        for (int i = 0; i < 3 * PARTITIONS; i++) {
            later.add(event(table, i % 10));
        }
        sendToEachPartition(topics, later); // behind the poison records in every partition
        sent.addAll(later);
        double stored = storedVersions();
        ingests.start(topics, "g", 7);
        awaitVersions(table, sent.size());
        Ingests.awaitCommitted(topics, "g", "changes"); // the group's offsets (lag monitoring) reach the end again

        assertThat(storedVersions() - stored).as("versions the restarted ingest wrote").isEqualTo(later.size());
        assertThat(deadLettered() - letters).as("dead letters: the poison records were not read again").isEqualTo(PARTITIONS);
        ingests.assertExactlyOnce(table, sent);
    }

    @Test
    void aDatabaseFromBeforeStoredOffsetsSkipsTheVersionsItHoldsWhenTheGroupReadsThemAgain() throws Exception {
        String topics = topics("upgrade");
        String table = "public.eo_upgrade";
        ingests.start(topics, "g", 7);
        List<ChangeEvent> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(event(table, i % 7));
        }
        send(topics, sent);
        awaitVersions(table, 20);
        Ingests.awaitCommitted(topics, "g", "changes");
        stopIngests();

        // the versions without their offsets, as a database the previous ingest wrote; its crash before the Kafka commit
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("DELETE FROM dm_ingest_offset WHERE topic = ?")) {
            ps.setString(1, topics + ".changes");
            assertThat(ps.executeUpdate()).isPositive();
        }
        moveGroupToStart(topics, "g");
        List<ChangeEvent> later = new ArrayList<>();
        for (int i = 0; i < 2 * PARTITIONS; i++) {
            later.add(event(table, i));
        }
        sendToEachPartition(topics, later);
        sent.addAll(later);
        ingests.start(topics, "g", 7);
        awaitVersions(table, sent.size());
        Ingests.awaitCommitted(topics, "g", "changes");
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> ingests.versions.storedOffsets(topics + ".changes").size() == PARTITIONS);

        ingests.assertExactlyOnce(table, sent);
    }

    @Test
    void aBatchBeginningBeforeWhereTheDatabaseHoldsItsPartitionIsRefusedWhole() throws Exception {
        String topic = ContextResource.PREFIX + ".fenced.changes";
        String table = "public.eo_fenced";
        ingests.versions.insert(List.of(event(table, 1), event(table, 2)), Map.of(), List.of(new IngestOffset(topic, 0, 0, 2)));
        // another consumer of partition 0 that began before the batch above was stored (a rebalance): it must not store
        List<ChangeEvent> late = List.of(event(table, 3), event(table, 4));
        assertThatThrownBy(() -> ingests.versions.insert(late, Map.of(), List.of(new IngestOffset(topic, 1, 0, 1), new IngestOffset(topic, 0, 1, 3))))
                .isInstanceOf(VersionStore.OffsetsMoved.class).hasMessageContaining(topic + "-0 past offset 1");
        assertThat(ingests.versions.storedOffsets(topic)).as("nothing of the refused batch").isEqualTo(Map.of(0, 2L));
        assertThat(ingests.count("SELECT count(*) FROM dm_version WHERE table_name = ?", table)).isEqualTo(2);
        ingests.versions.insert(late, Map.of(), List.of(new IngestOffset(topic, 1, 0, 1), new IngestOffset(topic, 0, 2, 4)));
        assertThat(ingests.versions.storedOffsets(topic)).isEqualTo(Map.of(0, 4L, 1, 1L));
        assertThat(ingests.count("SELECT version_count FROM dm_table WHERE table_name = ?", table)).isEqualTo(4);
    }

    @Test
    void batchesTheDatabaseRefusesAreReadAgainFromTheirStartAndStoredOnce() throws Exception {
        String topics = topics("refused");
        String table = "public.eo_refused";
        // the database refuses this table's versions while the switch is on (COPY fires row triggers)
        execute("CREATE TABLE eo_refuse_switch (refusing boolean NOT NULL)",
                "INSERT INTO eo_refuse_switch VALUES (true)",
                """
                CREATE FUNCTION eo_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF NEW.table_name = 'public.eo_refused' AND (SELECT refusing FROM eo_refuse_switch) THEN
                    RAISE EXCEPTION 'refused by the test';
                  END IF;
                  RETURN NEW;
                END $$""",
                "CREATE TRIGGER eo_refuse BEFORE INSERT ON dm_version FOR EACH ROW EXECUTE FUNCTION eo_refuse()");
        try {
            List<ChangeEvent> sent = new ArrayList<>();
            for (int i = 0; i < 4 * PARTITIONS; i++) {
                sent.add(event(table, i));
            }
            sendToEachPartition(topics, sent); // all there before the ingest starts
            double retried = retries();
            // polls of 7 out of 4 records a partition: batches span partitions, each read again from its own start
            ingests.start(topics, "g", 7);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> retries() - retried >= 2);
            assertThat(ingests.count("SELECT count(*) FROM dm_version WHERE table_name = ?", table)).as("stored while refused").isZero();
            execute("UPDATE eo_refuse_switch SET refusing = false");

            awaitVersions(table, sent.size());
            Ingests.awaitCommitted(topics, "g", "changes");
            ingests.assertExactlyOnce(table, sent);
        } finally {
            execute("DROP TRIGGER eo_refuse ON dm_version", "DROP FUNCTION eo_refuse()", "DROP TABLE eo_refuse_switch");
        }
    }

    private void execute(String... statements) throws Exception {
        try (Connection c = dataSource.getConnection(); java.sql.Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private double retries() {
        return ingests.registry.counter("dm.history.batch.retries").count();
    }

    private void awaitVersions(String table, int n) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> ingests.count("SELECT count(*) FROM dm_version WHERE table_name = ?", table) >= n);
    }

    private double deadLettered() {
        return ingests.registry.counter("dm.history.records.dead.lettered").count();
    }

    private double storedVersions() {
        return ingests.registry.counter("dm.history.versions.stored").count();
    }

    /** The group's committed offsets of dm.changes back to 0 (the group has no member: its ingest is stopped). */
    private static void moveGroupToStart(String prefix, String group) throws Exception {
        try (Admin admin = Ingests.admin()) {
            Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                start.put(new TopicPartition(prefix + ".changes", p), new OffsetAndMetadata(0));
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions() // until the stopped member has left the group
                    .until(() -> admin.alterConsumerGroupOffsets(prefix + "-" + group, start).all().get() == null);
        }
    }

    private ChangeEvent event(String table, int id) {
        ObjectNode pk = Json.mapper().createObjectNode().put("id", id);
        Lsn at = new Lsn(lsn += 0x100);
        Instant now = Instant.now();
        return new ChangeEvent(1, RowKey.eventId(table, pk, at), table, Op.UPDATE, pk, null,
                Json.mapper().createObjectNode().put("id", id).put("at", at.toString()), List.of(), true, List.of(), at.toString(),
                at.value() / 0x100, now, now);
    }

    /** A topic prefix of this test's own, with its dm.changes, dm.context and dm.dlq created. */
    private static String topics(String name) {
        return Ingests.topics(ContextResource.PREFIX + ".eo-" + name, PARTITIONS);
    }

    private static void send(String prefix, List<ChangeEvent> events) {
        produce(events.stream().map(e -> new ProducerRecord<>(prefix + ".changes", e.key().getBytes(StandardCharsets.UTF_8), e.toJson())).toList());
    }

    /** The events round-robin over the partitions, not by key: each partition gets some, after what it held before. */
    private static void sendToEachPartition(String prefix, List<ChangeEvent> events) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            ChangeEvent e = events.get(i);
            records.add(new ProducerRecord<>(prefix + ".changes", i % PARTITIONS, e.key().getBytes(StandardCharsets.UTF_8), e.toJson()));
        }
        produce(records);
    }

    private static void poison(String prefix) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            records.add(new ProducerRecord<>(prefix + ".changes", p, null, "{not a change event".getBytes(StandardCharsets.UTF_8)));
        }
        produce(records);
    }

    private static void produce(List<ProducerRecord<byte[], byte[]>> records) {
        Properties props = new Properties();
        props.put("bootstrap.servers", ContextResource.bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (var record : records) {
                producer.send(record).get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
