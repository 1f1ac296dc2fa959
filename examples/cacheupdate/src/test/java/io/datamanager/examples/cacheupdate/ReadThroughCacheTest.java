package io.datamanager.examples.cacheupdate;

import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.testsupport.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/** The fill protocol against a real Redis, with datamanager's writes played by setting the version key as it does. */
class ReadThroughCacheTest {
    private static TestRedis server;
    private static JedisPooled redis;

    @BeforeAll
    static void start() {
        server = TestRedis.start();
        redis = new JedisPooled(server.url());
    }

    @AfterAll
    static void stop() {
        redis.close();
        server.close();
    }

    @Test
    void aMissReadsTheDatabaseAndFillsTheKeyForTheNextRead() throws Exception {
        ReadThroughCache cache = new ReadThroughCache(redis);
        assertThat(cache.get("order:1", () -> "{\"status\":\"new\"}")).isEqualTo(new ReadThroughCache.Read("{\"status\":\"new\"}",
                ReadThroughCache.Source.DATABASE));
        assertThat(cache.get("order:1", () -> "not read")).isEqualTo(new ReadThroughCache.Read("{\"status\":\"new\"}",
                ReadThroughCache.Source.CACHE));
    }

    @Test
    void aChangeDeliveredWhileTheDatabaseWasReadKeepsTheOldRowOut() throws Exception {
        ReadThroughCache cache = new ReadThroughCache(redis);
        redis.set("dm:v:order:2", "0000000001000000");
        ReadThroughCache.Read read = cache.get("order:2", () -> {
            // the row was read just before a write; datamanager evicts the key for the write meanwhile
            redis.del("order:2");
            redis.set("dm:v:order:2", "0000000001000100");
            return "{\"status\":\"old\"}";
        });
        assertThat(read.value()).as("this reader still answers what it read").isEqualTo("{\"status\":\"old\"}");
        assertThat(redis.get("order:2")).as("but does not put it back").isNull();
    }

    @Test
    void aRowDatamanagerWroteMeanwhileIsNotOverwritten() throws Exception {
        ReadThroughCache cache = new ReadThroughCache(redis);
        cache.get("order:3", () -> {
            redis.set("order:3", "{\"status\":\"newer\"}");
            redis.set("dm:v:order:3", "0000000001000200");
            return "{\"status\":\"older\"}";
        });
        assertThat(redis.get("order:3")).isEqualTo("{\"status\":\"newer\"}");
    }

    @Test
    void aMissingRowFillsNothing() throws Exception {
        assertThat(new ReadThroughCache(redis).get("order:4", () -> null).value()).isNull();
        assertThat(redis.exists("order:4")).isFalse();
    }
}
