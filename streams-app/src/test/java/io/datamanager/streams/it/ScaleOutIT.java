package io.datamanager.streams.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Op;
import io.datamanager.streams.topology.PipelineMetrics;
import io.datamanager.streams.topology.PipelineTopology;
import io.datamanager.streams.topology.Topics;
import io.datamanager.testsupport.TestKafka;
import io.datamanager.testsupport.TopicReader;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Two instances of the topology on a real broker share the partitions; when partitions move (an instance
 * joins, another leaves) the last-state store is restored from its changelog, so before-images stay full,
 * and exactly-once processing leaves no change doubled in {@code dm.changes}.
 */
class ScaleOutIT {
    private static final int ROWS = 30;
    private final String bootstrap = TestKafka.shared().bootstrapServers();
    private final String prefix = "so" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private final String appId = "dm-streams-" + prefix;
    private static final long SNAPSHOT = 0x0F00000;
    private long lsn = 0x1000000;

    @Test
    void instancesSharePartitionsAndKeepBeforeImagesAcrossRebalances() throws Exception {
        try (Admin admin = Admin.create(props())) {
            admin.createTopics(List.of(new NewTopic(prefix + ".cdc.public.items", 3, (short) 1),
                    new NewTopic(prefix + ".changes", 3, (short) 1), new NewTopic(prefix + ".dlq", 1, (short) 1),
                    new NewTopic(prefix + ".rules", 1, (short) 1), new NewTopic(prefix + ".cdc.message", 1, (short) 1)))
                    .all().get();
        }
        produce("r");
        KafkaStreams first = start("a");
        awaitChanges(ROWS);

        KafkaStreams second = start("b");
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> first.state() == KafkaStreams.State.RUNNING
                && second.state() == KafkaStreams.State.RUNNING && !second.metadataForLocalThreads().stream()
                        .allMatch(t -> t.activeTasks().isEmpty()));
        produce("u");
        awaitChanges(2 * ROWS);

        first.close(Duration.ofSeconds(30));
        produce("d");
        List<ChangeEvent> changes = awaitChanges(3 * ROWS);
        second.close(Duration.ofSeconds(30));

        assertThat(changes.stream().map(ChangeEvent::id).collect(Collectors.toSet())).as("no change doubled").hasSize(3 * ROWS);
        assertThat(changes).filteredOn(e -> e.op() == Op.UPDATE).hasSize(ROWS).allSatisfy(e -> {
            assertThat(e.complete()).as("before image of %s", e.pk()).isTrue();
            assertThat(e.before().get("qty").asInt()).isEqualTo(1);
            assertThat(e.changed()).containsExactly("qty");
        });
        assertThat(changes).filteredOn(e -> e.op() == Op.DELETE).hasSize(ROWS)
                .allSatisfy(e -> assertThat(e.before().get("qty").asInt()).isEqualTo(2));
    }

    private KafkaStreams start(String name) {
        Properties props = props();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, TestKafka.workDir().resolve(prefix + "-" + name).toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.consumerPrefix("metadata.max.age.ms"), 500);
        props.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10_000);
        KafkaStreams streams = new KafkaStreams(PipelineTopology.build(new StreamsBuilder(), Topics.withPrefix(prefix),
                PipelineMetrics.NONE, letter -> { }), props);
        streams.start();
        return streams;
    }

    private void produce(String op) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int id = 1; id <= ROWS; id++) {
                ObjectNode key = Json.mapper().createObjectNode().put("id", id);
                ObjectNode envelope = Json.mapper().createObjectNode();
                switch (op) {
                    case "r" -> envelope.set("after", key.deepCopy().put("qty", 1));
                    case "u" -> envelope.set("after", key.deepCopy().put("qty", 2));
                    default -> envelope.set("before", key.deepCopy());
                }
                lsn += 0x100;
                long at = op.equals("r") ? SNAPSHOT : lsn; // snapshot reads share the snapshot's LSN and know no commit
                envelope.putObject("source").put("schema", "public").put("table", "items").put("lsn", at)
                        .put("sequence", "[" + (op.equals("r") ? "null" : "\"" + at + "\"") + ",\"" + at + "\"]")
                        .put("txId", lsn).put("ts_us", System.currentTimeMillis() * 1000);
                envelope.put("op", op).put("ts_us", System.currentTimeMillis() * 1000);
                producer.send(new ProducerRecord<>(prefix + ".cdc.public.items", Json.toBytes(key), Json.toBytes(envelope)));
            }
        }
    }

    private List<ChangeEvent> awaitChanges(int count) {
        return TopicReader.readUntil(bootstrap, prefix + ".changes", records -> records.size() >= count, Duration.ofSeconds(120))
                .stream().map(r -> ChangeEvent.fromJson(r.value())).toList();
    }

    private Properties props() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return props;
    }

}
