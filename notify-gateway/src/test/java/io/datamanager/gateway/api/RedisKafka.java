package io.datamanager.gateway.api;

import io.datamanager.testsupport.TestKafka;
import io.datamanager.testsupport.TestRedis;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.UUID;

/** Kafka with a prefix of its own, and two real Redis servers: the default connection (durable, so it can crash) and "second". */
public class RedisKafka implements QuarkusTestResourceLifecycleManager {
    static final String PREFIX = "rd" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    static final String TOKEN = "redis-" + UUID.randomUUID();
    static String bootstrap;
    static TestRedis redis;
    static TestRedis second;

    @Override
    public Map<String, String> start() {
        bootstrap = TestKafka.shared().bootstrapServers();
        redis = TestRedis.start(true);
        second = TestRedis.start();
        return Map.of("dm.gateway.kafka-bootstrap", bootstrap, "dm.gateway.topic-prefix", PREFIX,
                "dm.gateway.tokens", TOKEN + ":write", "dm.gateway.redis-url", redis.url(),
                "dm.gateway.redis-connections", "second=" + second.url(), "dm.gateway.redis-retry-max", "500ms",
                "dm.gateway.redis-group", "dm-gateway-redis-" + PREFIX, "dm.gateway.delivery-group", "dm-gateway-" + PREFIX);
    }

    @Override
    public void stop() {
        redis.close();
        second.close();
    }
}
