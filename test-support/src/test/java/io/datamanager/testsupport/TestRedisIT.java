package io.datamanager.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisConnectionException;

class TestRedisIT {

    @Test
    void aDurableServerKilledAndRestartedKeepsItsPortAndEveryAcknowledgedWrite() {
        try (TestRedis redis = TestRedis.start(true); JedisPooled client = new JedisPooled(redis.url())) {
            assertThat(redis.port()).as("never the machine's own Redis").isNotEqualTo(6379);
            client.set("order:1", "{\"status\":\"paid\"}");

            redis.kill();
            assertThatThrownBy(() -> client.get("order:1")).isInstanceOf(JedisConnectionException.class);

            redis.restart();
            assertThat(client.get("order:1")).isEqualTo("{\"status\":\"paid\"}");
        }
    }

    @Test
    void aPlainServerStartsEmptyAgain() {
        try (TestRedis redis = TestRedis.start(); JedisPooled client = new JedisPooled(redis.url())) {
            client.set("k", "v");
            redis.kill();
            redis.restart();
            try (JedisPooled fresh = new JedisPooled(redis.url())) {
                assertThat(fresh.get("k")).isNull();
            }
        }
    }
}
