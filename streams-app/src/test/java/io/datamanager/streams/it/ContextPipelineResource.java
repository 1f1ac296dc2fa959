package io.datamanager.streams.it;

import io.datamanager.runtime.CaptureServer;
import io.datamanager.testsupport.CaptureEnvironment;
import io.datamanager.testsupport.TestKafka;
import io.datamanager.testsupport.TestPostgres;
import io.datamanager.testsupport.TopicReader;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Capture (Debezium Server with the shipped configuration) of a database of its own into topics of a prefix of its own,
 * and a subscription that filters on the context's {@code source}, for the streams-app under test.
 */
public class ContextPipelineResource implements QuarkusTestResourceLifecycleManager {
    static final String PREFIX = "cx" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    static final String BILLING = "billing-orders";
    static String database;
    static String bootstrap;
    private static CaptureServer capture;

    @Override
    public Map<String, String> start() {
        try {
            TestPostgres pg = TestPostgres.shared();
            bootstrap = TestKafka.shared().bootstrapServers();
            database = pg.createDatabase("context_it");
            try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE orders (id integer PRIMARY KEY, status text)");
                s.execute("INSERT INTO orders VALUES (0, 'seed')");
            }
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(PREFIX + ".rules", BILLING, ("{\"id\":\"" + BILLING + "\",\"table\":\"public.orders\","
                        + "\"filters\":[{\"column\":\"context.source\",\"op\":\"eq\",\"value\":\"billing-job\"}]}")
                        .getBytes(StandardCharsets.UTF_8))).get();
            }
            Path work = TestKafka.workDir();
            capture = CaptureEnvironment.startServer(CaptureEnvironment.of(pg, database, bootstrap, PREFIX),
                    Files.createDirectories(work).resolve("capture-" + PREFIX + ".log"));
            // the snapshot is on Kafka: the slot exists, so what the test writes is streamed
            TopicReader.readUntil(bootstrap, PREFIX + ".cdc.public.orders", raw -> !raw.isEmpty(), Duration.ofSeconds(120));

            return PipelineResource.streamsConfig(bootstrap, PREFIX, work);
        } catch (Exception e) {
            throw new IllegalStateException("pipeline for the context test did not start", e);
        }
    }

    /** Runs the statements in one transaction. */
    static void transaction(String... statements) throws Exception {
        try (Connection c = TestPostgres.shared().connect(database); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (String statement : statements) {
                s.execute(statement);
            }
            c.commit();
        }
    }

    @Override
    public void stop() {
        if (capture != null) {
            capture.close();
        }
    }
}
