package io.datamanager.history.it;

import io.datamanager.testsupport.TestKafka;
import io.datamanager.testsupport.TestPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.UUID;

/** Kafka and a history database of their own: for tests that write dm.changes records themselves. */
public class IngestOnlyResource implements QuarkusTestResourceLifecycleManager {
    static final String PREFIX = "ig" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    static final String TOKEN = "ingest-token-" + UUID.randomUUID();
    static String bootstrap;

    @Override
    public Map<String, String> start() {
        TestPostgres pg = TestPostgres.shared();
        bootstrap = TestKafka.shared().bootstrapServers();
        String db = pg.createDatabase("history_ingest");
        return Map.of("quarkus.datasource.jdbc.url", pg.jdbcUrl(db), "quarkus.datasource.username", pg.user(),
                "quarkus.datasource.password", pg.password(), "dm.history.kafka-bootstrap", bootstrap,
                "dm.history.topic-prefix", PREFIX, "dm.history.group-id", "dm-history-" + PREFIX, "dm.history.api-tokens", TOKEN);
    }

    @Override
    public void stop() {
        // the shared PostgreSQL and Kafka stop with the JVM
    }
}
