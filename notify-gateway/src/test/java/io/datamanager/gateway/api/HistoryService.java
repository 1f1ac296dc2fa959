package io.datamanager.gateway.api;

import io.datamanager.runtime.ServiceProcess;
import io.datamanager.testsupport.TestKafka;
import io.datamanager.testsupport.TestPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;

/**
 * A real history-sink (its quarkus-run.jar, built earlier in the reactor) behind the gateway under test, with a
 * source database of its own whose tables have had no change: {@code cc_items} in capture's publication,
 * {@code hidden} left out of it (a publication made for chosen tables, as a database owner may make one
 * instead of the default FOR ALL TABLES).
 */
public class HistoryService implements QuarkusTestResourceLifecycleManager {
    static final String PREFIX = "hp" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    static final String WRITER = "writer-" + UUID.randomUUID();
    static final String READER = "reader-" + UUID.randomUUID();
    private ServiceProcess history;

    @Override
    public Map<String, String> start() {
        try {
            TestPostgres pg = TestPostgres.shared();
            String db = pg.createDatabase("gateway_history");
            String source = pg.createDatabase("gateway_source");
            try (Connection c = pg.connect(source); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE cc_items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2))");
                s.execute("CREATE TABLE hidden (id integer PRIMARY KEY)");
                s.execute("CREATE PUBLICATION dm_publication FOR TABLE cc_items");
            }
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            String serviceToken = "svc-" + UUID.randomUUID();
            Path work = Files.createDirectories(TestKafka.workDir());
            history = ServiceProcess.start(Path.of(System.getProperty("dmtest.history.jar")), Map.of(
                    "DM_HISTORY_DB_URL", pg.jdbcUrl(db), "DM_HISTORY_DB_USER", pg.user(), "DM_HISTORY_DB_PASSWORD", pg.password(),
                    "DM_KAFKA_BOOTSTRAP", TestKafka.shared().bootstrapServers(), "DM_TOPIC_PREFIX", PREFIX,
                    "DM_API_TOKENS", serviceToken, "DM_HISTORY_HTTP_PORT", Integer.toString(port),
                    "DM_RESTORE_JDBC_URL", pg.jdbcUrl(source), "DM_RESTORE_USER", pg.user(), "DM_RESTORE_PASSWORD", pg.password()),
                    work.resolve("history-" + PREFIX + ".log"));
            String url = "http://127.0.0.1:" + port;
            HttpClient http = HttpClient.newHttpClient();
            Awaitility.await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> http.send(
                    HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200);
            return Map.of("dm.gateway.kafka-bootstrap", TestKafka.shared().bootstrapServers(), "dm.gateway.topic-prefix", PREFIX,
                    "dm.gateway.tokens", WRITER + ":write," + READER + ":read", "dm.gateway.history-url", url,
                    "dm.gateway.history-token", serviceToken);
        } catch (Exception e) {
            throw new IllegalStateException("history-sink for the gateway test did not start", e);
        }
    }

    @Override
    public void stop() {
        if (history != null) {
            history.close();
        }
    }
}
