package io.datamanager.streams.it;

import io.datamanager.testsupport.CaptureEnvironment;
import io.datamanager.runtime.CaptureServer;
import io.datamanager.testsupport.TestKafka;
import io.datamanager.testsupport.TestPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import io.datamanager.testsupport.TopicReader;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The real pipeline around the streams-app under test: a PostgreSQL database with a table under
 * REPLICA IDENTITY DEFAULT holding a large (TOASTed) text, Debezium capturing it into Kafka (a child
 * process), a subscription rule already on the rules topic, and topics of a prefix of their own.
 */
public class PipelineResource implements QuarkusTestResourceLifecycleManager {
    static final String PREFIX = "it" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    static final String SUBSCRIPTION = "status-watch";
    /** Every change of {@code public.ledger}: what the gateway would deliver as webhooks. */
    static final String LEDGER_SUBSCRIPTION = "ledger-all";
    static String database;
    static String bootstrap;
    private static CaptureServer capture;
    private static Map<String, String> captureEnv;
    private static Path captureLog;

    @Override
    public Map<String, String> start() {
        try {
            TestPostgres pg = TestPostgres.shared();
            bootstrap = TestKafka.shared().bootstrapServers();
            database = pg.createDatabase("streams_it");
            try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE articles (id integer PRIMARY KEY, title text, status text, body text)");
                s.execute("INSERT INTO articles SELECT i, 'title ' || i, 'draft', "
                        + "(SELECT string_agg(md5(j::text || i), '') FROM generate_series(1, 1000) j) FROM generate_series(1, 2) i");
            }
            publishRule(SUBSCRIPTION, "{\"id\":\"" + SUBSCRIPTION + "\",\"table\":\"public.articles\",\"ops\":[\"update\"],\"columns\":[\"status\"]}");
            publishRule(LEDGER_SUBSCRIPTION, "{\"id\":\"" + LEDGER_SUBSCRIPTION + "\",\"table\":\"public.ledger\"}");

            Path work = TestKafka.workDir();
            Map<String, String> env = CaptureEnvironment.of(pg, database, bootstrap, PREFIX);
            captureEnv = env;
            captureLog = Files.createDirectories(work).resolve("capture-" + PREFIX + ".log");
            capture = CaptureEnvironment.startServer(env, captureLog);
            // the snapshot is on Kafka: the slot exists, so every later change is streamed, none folded into the snapshot
            TopicReader.readUntil(bootstrap, PREFIX + ".cdc.public.articles", raw -> raw.size() >= 2, Duration.ofSeconds(120));

            return streamsConfig(bootstrap, PREFIX, work);
        } catch (Exception e) {
            throw new IllegalStateException("pipeline for the streams-app test did not start", e);
        }
    }

    /** The streams-app under test, on its own topic prefix, application id and state folder. */
    static Map<String, String> streamsConfig(String bootstrap, String prefix, Path work) {
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.kafka-streams.bootstrap-servers", bootstrap);
        config.put("quarkus.kafka-streams.application-id", "dm-streams-" + prefix);
        config.put("dm.streams.topic-prefix", prefix);
        config.put("kafka-streams.state.dir", work.resolve("state-" + prefix).toString());
        config.put("kafka-streams.metadata.max.age.ms", "500");
        return config;
    }

    static void sql(String... statements) throws Exception {
        try (Connection c = TestPostgres.shared().connect(database); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /** Kills capture as a crash would (SIGKILL: no offset flush, no clean slot release). */
    static void crashCapture() throws InterruptedException {
        capture.kill();
    }

    /** Starts capture again with the same slot and offsets topic. */
    static void restartCapture() {
        capture = CaptureEnvironment.startServer(captureEnv, captureLog);
    }

    static String query(String sql) throws Exception {
        try (Connection c = TestPostgres.shared().connect(database); Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void publishRule(String id, String json) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(PREFIX + ".rules", id, json.getBytes(StandardCharsets.UTF_8))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (capture != null) {
            capture.close();
        }
    }
}
