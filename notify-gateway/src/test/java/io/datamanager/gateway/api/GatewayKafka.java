package io.datamanager.gateway.api;

import io.datamanager.testsupport.TestKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.UUID;

/** The test Kafka, a topic prefix of this test's own, a write and a read token, and a small rate limit. */
public class GatewayKafka implements QuarkusTestResourceLifecycleManager {
    static final String PREFIX = "gw" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    static final String WRITER = "writer-" + UUID.randomUUID();
    static final String READER = "reader-" + UUID.randomUUID();
    static final String LIMITED = "limited-" + UUID.randomUUID();
    static String bootstrap;

    @Override
    public Map<String, String> start() {
        bootstrap = TestKafka.shared().bootstrapServers();
        return Map.of("dm.gateway.kafka-bootstrap", bootstrap, "dm.gateway.topic-prefix", PREFIX,
                "dm.gateway.tokens", WRITER + ":write," + READER + ":read," + LIMITED + ":read",
                "dm.gateway.requests-per-minute", "50", "dm.gateway.allow-loopback-webhooks", "true",
                "dm.gateway.health-urls", "nothing-there=http://127.0.0.1:1"); // the pipeline view reports it down
    }

    @Override
    public void stop() {
        // the shared Kafka stops with the JVM
    }
}
