package io.datamanager.history.ingest;

import io.datamanager.testsupport.TestKafka;
import io.datamanager.testsupport.TestPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.UUID;

/**
 * Kafka and a history database of their own, with the service's own ingest off: the context tests start and stop
 * ingests themselves (a restart, a replay from the start) and write dm.changes and dm.context records directly.
 */
public class ContextResource implements QuarkusTestResourceLifecycleManager {
    static final String PREFIX = "cx" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    static final String TOKEN = "context-token-" + UUID.randomUUID();
    static String bootstrap;
    static String jdbcUrl;

    @Override
    public Map<String, String> start() {
        TestPostgres pg = TestPostgres.shared();
        bootstrap = TestKafka.shared().bootstrapServers();
        jdbcUrl = pg.jdbcUrl(pg.createDatabase("history_context"));
        return Map.of("quarkus.datasource.jdbc.url", jdbcUrl, "quarkus.datasource.username", pg.user(),
                "quarkus.datasource.password", pg.password(), "dm.history.kafka-bootstrap", bootstrap,
                "dm.history.topic-prefix", PREFIX, "dm.history.ingest-enabled", "false", "dm.history.api-tokens", TOKEN);
    }

    @Override
    public void stop() {
        // the shared PostgreSQL and Kafka stop with the JVM
    }
}
