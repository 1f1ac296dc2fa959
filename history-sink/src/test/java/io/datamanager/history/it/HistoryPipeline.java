package io.datamanager.history.it;

import io.datamanager.capture.CaptureProcess;
import io.datamanager.testsupport.ServiceProcess;
import io.datamanager.testsupport.CaptureEnvironment;
import io.datamanager.testsupport.TestKafka;
import io.datamanager.testsupport.TestPostgres;
import io.datamanager.testsupport.TopicReader;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The whole pipeline in front of the history-sink under test: a source database on real PostgreSQL,
 * Debezium capture and the streams-app as child processes, Kafka, and a history database of its own.
 */
public class HistoryPipeline implements QuarkusTestResourceLifecycleManager {
    /** Topic prefix of the pipeline running now: each test class that uses it starts one of its own. */
    static String PREFIX;
    static final String TOKEN = "test-token-" + UUID.randomUUID();
    static String source;
    private CaptureProcess capture;
    private ServiceProcess streams;

    @Override
    public Map<String, String> start() {
        try {
            PREFIX = "hi" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
            TestPostgres pg = TestPostgres.shared();
            String bootstrap = TestKafka.shared().bootstrapServers();
            source = pg.createDatabase("history_src");
            String historyDb = pg.createDatabase("history_db");
            sql("CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, email text, notes text)",
                    "CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers(id), "
                            + "status text NOT NULL, total numeric(10,2) NOT NULL, placed date)",
                    FiveOrders.TABLE_DDL,
                    "INSERT INTO customers VALUES (1, 'Ada', 'ada@example.org', "
                            + "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 1000) i))");

            Path work = Files.createDirectories(TestKafka.workDir());
            Map<String, String> env = CaptureEnvironment.of(pg, source, bootstrap, PREFIX);
            capture = CaptureProcess.start(env, work.resolve("capture-" + PREFIX + ".log"));
            // the snapshot is on Kafka, so the slot exists and the test's changes will be streamed
            TopicReader.readUntil(bootstrap, PREFIX + ".cdc.public.customers", raw -> !raw.isEmpty(), Duration.ofSeconds(120));

            Map<String, String> streamsEnv = new HashMap<>(env);
            streamsEnv.put("DM_STREAMS_APPLICATION_ID", "dm-streams-" + PREFIX);
            streamsEnv.put("DM_STREAMS_STATE_DIR", work.resolve("streams-" + PREFIX).toString());
            streamsEnv.put("DM_STREAMS_HTTP_PORT", "0");
            streamsEnv.put("DM_STREAMS_METADATA_MAX_AGE_MS", "500");
            streams = ServiceProcess.start(Path.of(System.getProperty("dmtest.streams.jar")), streamsEnv,
                    work.resolve("streams-" + PREFIX + ".log"));

            Map<String, String> config = new HashMap<>();
            config.put("quarkus.datasource.jdbc.url", pg.jdbcUrl(historyDb));
            config.put("quarkus.datasource.username", pg.user());
            config.put("quarkus.datasource.password", pg.password());
            config.put("dm.history.kafka-bootstrap", bootstrap);
            config.put("dm.history.topic-prefix", PREFIX);
            config.put("dm.history.group-id", "dm-history-" + PREFIX);
            config.put("dm.history.api-tokens", TOKEN);
            config.put("dm.history.restore.jdbc-url", pg.jdbcUrl(source));
            config.put("dm.history.restore.user", pg.user());
            config.put("dm.history.restore.password", pg.password());
            config.put("dm.history.restore.slot-name", env.get("DM_SLOT_NAME"));
            config.put("dm.history.restore.streams-application-id", streamsEnv.get("DM_STREAMS_APPLICATION_ID"));
            config.put("dm.history.restore.complete-wait", "90s"); // a loaded CI machine: the tests measure the real wait
            return config;
        } catch (Exception e) {
            throw new IllegalStateException("pipeline for the history test did not start", e);
        }
    }

    static void sql(String... statements) throws Exception {
        try (Connection c = TestPostgres.shared().connect(source); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    static String query(String sql) throws Exception {
        try (Connection c = TestPostgres.shared().connect(source); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Override
    public void stop() {
        if (streams != null) {
            streams.close();
        }
        if (capture != null) {
            capture.close();
        }
    }
}
