package io.datamanager.testsupport;

import java.util.HashMap;
import java.util.Map;

/** The {@code DM_*} environment that points capture at a test database and the test Kafka, under a topic prefix of its own. */
public final class CaptureEnvironment {
    private CaptureEnvironment() {}

    /** A mutable map, so a test can add or override variables. */
    public static Map<String, String> of(TestPostgres pg, String database, String bootstrapServers, String topicPrefix) {
        Map<String, String> env = new HashMap<>();
        env.put("DM_PG_HOST", pg.host());
        env.put("DM_PG_PORT", Integer.toString(pg.port()));
        env.put("DM_PG_USER", pg.user());
        env.put("DM_PG_PASSWORD", pg.password());
        env.put("DM_PG_DATABASE", database);
        env.put("DM_KAFKA_BOOTSTRAP", bootstrapServers);
        env.put("DM_TOPIC_PREFIX", topicPrefix);
        env.put("DM_SLOT_NAME", "slot_" + topicPrefix);
        return env;
    }
}
