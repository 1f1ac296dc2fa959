package io.datamanager.capture;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.debezium.ColumnTypes;
import io.datamanager.model.debezium.DebeziumEnvelopes;
import io.datamanager.testsupport.CaptureEnvironment;
import io.datamanager.runtime.CaptureServer;
import io.datamanager.testsupport.TestKafka;
import io.datamanager.testsupport.TestPostgres;
import io.datamanager.testsupport.TopicReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** One database on the test PostgreSQL, captured by Debezium Server into topics of its own prefix. */
final class CaptureHarness implements AutoCloseable {
    final TestPostgres pg = TestPostgres.shared();
    final String bootstrap = TestKafka.shared().bootstrapServers();
    final String database;
    final String prefix;
    final Map<String, String> env = new HashMap<>();
    private CaptureServer server;

    CaptureHarness(Class<?> testClass) {
        database = pg.createDatabase(testClass);
        prefix = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        env.putAll(CaptureEnvironment.of(pg, database, bootstrap, prefix));
        env.put("DM_HEARTBEAT_INTERVAL_MS", "500");
    }

    void sql(String... statements) throws SQLException {
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /** Starts Debezium Server; returns at once (the tests wait for what they need to see). */
    void startCapture() {
        server = CaptureEnvironment.startServer(env, TestKafka.workDir().resolve("capture-" + prefix + ".log"));
    }

    /** Stops it cleanly: offsets of what Kafka acknowledged are committed. */
    void stopCapture() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** Ends it as a crash would (SIGKILL). */
    void killCapture() throws InterruptedException {
        server.kill();
        server = null;
    }

    CaptureServer server() {
        return server;
    }

    String offsetsTopic() {
        return prefix + ".offsets";
    }

    /** The change topics, not Debezium's message topic {@code <prefix>.cdc.message}. */
    Pattern changeTopics() {
        return Pattern.compile(Pattern.quote(prefix + ".cdc.") + "(?!message$).+");
    }

    /** Reads the change topics until {@code done} holds for the parsed events. */
    List<ConsumerRecord<byte[], byte[]>> readUntil(Predicate<List<ChangeEvent>> done) {
        return TopicReader.readUntil(bootstrap, changeTopics(), records -> done.test(parse(records)), Duration.ofSeconds(90));
    }

    static List<ChangeEvent> parse(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream()
                .map(r -> DebeziumEnvelopes.parse(r.key(), r.value(), ColumnTypes.fromHeader(header(r, ColumnTypes.HEADER))))
                .flatMap(java.util.Optional::stream)
                .toList();
    }

    static byte[] header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : h.value();
    }

    @Override
    public void close() throws SQLException {
        stopCapture();
        sql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'slot_" + prefix + "'");
    }
}
