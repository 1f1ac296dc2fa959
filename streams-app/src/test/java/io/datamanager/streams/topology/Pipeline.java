package io.datamanager.streams.topology;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.debezium.ColumnTypes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** The topology under a TopologyTestDriver, with helpers that write raw Debezium records and rules. */
final class Pipeline implements AutoCloseable {
    final Topics topics = Topics.withPrefix("dm");
    final CountingMetrics metrics = new CountingMetrics();
    final List<Outcome.DeadLetter> ruleDeadLetters = new ArrayList<>();
    final TopologyTestDriver driver;
    private final TestInputTopic<String, byte[]> rules;
    /** The LSN every snapshot read of {@link #change} carries; streamed changes come after it. */
    static final long SNAPSHOT_LSN = 0x16A0000;
    private long lsn = 0x16B0000;

    Pipeline() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dm-streams-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/dm-ttd-" + System.nanoTime());
        driver = new TopologyTestDriver(PipelineTopology.build(new StreamsBuilder(), topics, metrics, ruleDeadLetters::add), props);
        rules = driver.createInputTopic(topics.rules().name(), new StringSerializer(), new ByteArraySerializer());
    }

    /** Writes a raw record to {@code dm.cdc.<table>}, as Debezium would. */
    void raw(String table, byte[] key, byte[] value, byte[] types) {
        TestInputTopic<byte[], byte[]> in = driver.createInputTopic("dm.cdc." + table, new ByteArraySerializer(), new ByteArraySerializer());
        RecordHeaders headers = new RecordHeaders();
        if (types != null) {
            headers.add(ColumnTypes.HEADER, types);
        }
        in.pipeInput(new TestRecord<>(key, value, headers));
    }

    /**
     * A Debezium envelope for {@code table} ({@code public.x}), as capture writes it: a change in a transaction
     * of its own after the last one, or a read of the snapshot at {@link #SNAPSHOT_LSN}. Returns its LSN.
     */
    long change(String table, String op, ObjectNode key, ObjectNode before, ObjectNode after) {
        if (op.equals("r")) {
            return changeAt(table, op, key, before, after, null, SNAPSHOT_LSN);
        }
        long at = lsn += 0x100;
        return changeAt(table, op, key, before, after, at, at);
    }

    /**
     * A Debezium envelope at an explicit position: {@code source.sequence} is {@code [commit, lsn]}, with
     * {@code commit} the LSN of the last commit before the change (null: none known). Returns {@code lsn}.
     */
    long changeAt(String table, String op, ObjectNode key, ObjectNode before, ObjectNode after, Long commit, long lsn) {
        raw(table, key == null ? null : Json.toBytes(key), envelope(table, op, before, after, commit, lsn), null);
        return lsn;
    }

    static byte[] envelope(String table, String op, ObjectNode before, ObjectNode after, Long commit, long lsn) {
        ObjectNode envelope = Json.mapper().createObjectNode();
        envelope.set("before", before);
        envelope.set("after", after);
        ObjectNode source = envelope.putObject("source");
        source.put("schema", table.substring(0, table.indexOf('.'))).put("table", table.substring(table.indexOf('.') + 1))
                .put("lsn", lsn).put("txId", 700 + lsn % 97).put("ts_us", 1_795_000_000_000_000L + lsn)
                .put("sequence", "[" + (commit == null ? "null" : "\"" + commit + "\"") + ",\"" + lsn + "\"]");
        envelope.put("op", op).put("ts_us", 1_795_000_000_100_000L + lsn);
        return Json.toBytes(envelope);
    }

    void rule(String id, String json) {
        rules.pipeInput(id, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    List<ChangeEvent> changes() {
        return read(topics.changes().name());
    }

    List<ChangeEvent> subscription(String id) {
        return read(topics.names().subscription(id));
    }

    List<TestRecord<byte[], byte[]>> deadLetters() {
        return driver.createOutputTopic(topics.dlq().name(), topics.dlq().keySerde().deserializer(),
                topics.dlq().valueSerde().deserializer()).readRecordsToList();
    }

    private List<ChangeEvent> read(String topic) {
        TestOutputTopic<String, ChangeEvent> out = driver.createOutputTopic(topic,
                org.apache.kafka.common.serialization.Serdes.String().deserializer(), new ChangeEventSerde().deserializer());
        return out.readValuesToList();
    }

    static ObjectNode row(Object... columnsAndValues) {
        ObjectNode node = Json.mapper().createObjectNode();
        for (int i = 0; i < columnsAndValues.length; i += 2) {
            node.set((String) columnsAndValues[i], Json.mapper().valueToTree(columnsAndValues[i + 1]));
        }
        return node;
    }

    @Override
    public void close() {
        driver.close();
    }

    /** Counts what the topology reports. */
    static final class CountingMetrics implements PipelineMetrics {
        final Map<String, AtomicLong> processed = new ConcurrentHashMap<>();
        final Map<String, AtomicLong> deadLettered = new ConcurrentHashMap<>();
        final AtomicLong replays = new AtomicLong();
        final List<Duration> lags = new ArrayList<>();
        final Map<String, Long> contextRejected = new ConcurrentHashMap<>();

        @Override
        public void processed(String stage) {
            processed.computeIfAbsent(stage, s -> new AtomicLong()).incrementAndGet();
        }

        @Override
        public void deadLettered(String stage) {
            deadLettered.computeIfAbsent(stage, s -> new AtomicLong()).incrementAndGet();
        }

        @Override
        public void replayDropped() {
            replays.incrementAndGet();
        }

        @Override
        public void endToEndLag(Duration lag) {
            lags.add(lag);
        }

        @Override
        public void contextRejected(String reason) {
            contextRejected.merge(reason, 1L, Long::sum);
        }
    }
}
