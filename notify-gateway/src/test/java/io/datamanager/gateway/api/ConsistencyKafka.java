package io.datamanager.gateway.api;

import io.datamanager.testsupport.TestKafka;
import io.datamanager.testsupport.TestRedis;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.UUID;

/** Kafka with a prefix of its own, a real Redis, and the names of the capture offsets topic and streams group the test plays. */
public class ConsistencyKafka implements QuarkusTestResourceLifecycleManager {
    static final String PREFIX = "cs" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    static final String TOKEN = "consistency-" + UUID.randomUUID();
    static final String STREAMS_GROUP = "dm-streams-" + PREFIX;
    static String bootstrap;
    static TestRedis redis;

    @Override
    public Map<String, String> start() {
        bootstrap = TestKafka.shared().bootstrapServers();
        redis = TestRedis.start();
        return Map.of("dm.gateway.kafka-bootstrap", bootstrap, "dm.gateway.topic-prefix", PREFIX,
                "dm.gateway.tokens", TOKEN + ":write", "dm.gateway.redis-url", redis.url(), "dm.gateway.redis-retry-max", "200ms",
                "dm.gateway.redis-group", "dm-gateway-redis-" + PREFIX, "dm.gateway.delivery-group", "dm-gateway-" + PREFIX,
                "dm.gateway.streams-application-id", STREAMS_GROUP);
    }

    @Override
    public void stop() {
        redis.close();
    }
}
