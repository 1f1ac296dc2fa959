package io.datamanager.gateway.api;

import io.datamanager.testsupport.TestKafka;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.UUID;

/** Kafka, a prefix of its own, loopback webhooks allowed (the receivers are on 127.0.0.1) and a fast retry schedule. */
public class DeliveryKafka implements QuarkusTestResourceLifecycleManager {
    static final String PREFIX = "dl" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    static final String TOKEN = "delivery-" + UUID.randomUUID();
    static String bootstrap;

    @Override
    public Map<String, String> start() {
        bootstrap = TestKafka.shared().bootstrapServers();
        return Map.of("dm.gateway.kafka-bootstrap", bootstrap, "dm.gateway.topic-prefix", PREFIX,
                "dm.gateway.tokens", TOKEN + ":write", "dm.gateway.allow-loopback-webhooks", "true",
                "dm.gateway.retry-schedule", "100ms,200ms,300ms", "dm.gateway.webhook-timeout", "1s",
                "dm.gateway.delivery-group", "dm-gateway-" + PREFIX);
    }

    @Override
    public void stop() {
        // the shared Kafka stops with the JVM
    }
}
