package io.datamanager.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.JedisPubSub;

/**
 * Cache consistency as a user meets it, on real PostgreSQL, Debezium, Kafka, streams-app, gateway and Redis:
 * keys written and evicted from SQL changes, the read-your-writes barrier, Redis crashing mid-stream, every
 * change delivered again in a fresh consumer group, and readers filling the cache while writers write.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CacheConsistencyIT {
    static final String SET = "orders-set";
    static final String EVICT = "orders-evict";
    private static Stack stack;
    private static JedisPooled redis;

    @BeforeAll
    static void start() throws Exception {
        stack = new Stack();
        redis = new JedisPooled(stack.redis.url());
        stack.sql("CREATE TABLE shop_orders (id integer PRIMARY KEY, customer_id integer, status text NOT NULL, version integer NOT NULL DEFAULT 0)",
                "CREATE TABLE audit_log (id bigserial PRIMARY KEY, what text)", "INSERT INTO audit_log (what) VALUES ('created')");
        assertThat(stack.api("PUT", "/api/subscriptions/" + SET, "{\"table\":\"public.shop_orders\","
                + "\"delivery\":{\"redis\":{\"keys\":[\"order:{id}\"],\"action\":\"set\"}}}").statusCode()).isEqualTo(201);
        assertThat(stack.api("PUT", "/api/subscriptions/" + EVICT, "{\"table\":\"public.shop_orders\","
                + "\"delivery\":{\"redis\":{\"keys\":[\"order-row:{id}\",\"customer-orders:{customer_id}\"]}}}").statusCode()).isEqualTo(201);
        // a new rule reaches the streams-app through dm.rules: write until a change of the table comes through both
        stack.sql("INSERT INTO shop_orders VALUES (0, 0, 'probe-0')");
        int[] probe = {0};
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
            redis.set("order-row:0", "cached");
            stack.sql("UPDATE shop_orders SET status = 'probe-" + (++probe[0]) + "' WHERE id = 0");
            return redis.get("order:0") != null && redis.get("order:0").contains("probe-") && redis.get("order-row:0") == null;
        });
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void insertUpdateAndDeleteWriteAndEvictTheRightKeysAndAKeyColumnChangeReachesBothCustomers() throws Exception {
        redis.set("customer-orders:10", "list of 10");
        redis.set("order-row:1", "stale");
        Lsn inserted = write("INSERT INTO shop_orders VALUES (1, 10, 'new')");
        assertThat(barrier(SET, inserted, 30_000).statusCode()).isEqualTo(200);
        assertThat(barrier(EVICT, inserted, 30_000).statusCode()).isEqualTo(200);
        assertThat(row(redis.get("order:1"))).containsEntry("status", "new").containsEntry("customer_id", "10");
        assertThat(redis.get("order-row:1")).isNull();
        assertThat(redis.get("customer-orders:10")).isNull();

        redis.set("customer-orders:10", "list of 10");
        redis.set("customer-orders:11", "list of 11");
        Lsn moved = write("UPDATE shop_orders SET customer_id = 11, status = 'moved' WHERE id = 1");
        assertThat(barrier(SET, moved, 30_000).statusCode()).isEqualTo(200);
        assertThat(barrier(EVICT, moved, 30_000).statusCode()).isEqualTo(200);
        assertThat(redis.get("customer-orders:10")).as("the customer the order left").isNull();
        assertThat(redis.get("customer-orders:11")).as("the customer it joined").isNull();
        assertThat(row(redis.get("order:1"))).containsEntry("status", "moved").containsEntry("customer_id", "11");

        Lsn deleted = write("DELETE FROM shop_orders WHERE id = 1");
        assertThat(barrier(SET, deleted, 30_000).statusCode()).isEqualTo(200);
        assertThat(redis.get("order:1")).isNull();
        assertThat(redis.ttl("dm:v:order:1")).as("the removed key's version is kept for a while").isPositive();
    }

    @Test
    @Order(2)
    void theBarrierReturnsOnlyAfterTheCacheReflectsTheWrite() throws Exception {
        int rows = 30;
        write("INSERT INTO shop_orders (id, customer_id, status) SELECT g, 1, 'new' FROM generate_series(1000, " + (999 + rows) + ") g");
        Lsn all = write("UPDATE shop_orders SET version = 0 WHERE id = 1000");
        assertThat(barrier(SET, all, 30_000).statusCode()).isEqualTo(200);

        redis.configSet("notify-keyspace-events", "K$");
        Map<String, Long> firstSet = new ConcurrentHashMap<>();
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onPMessage(String pattern, String channel, String message) {
                firstSet.putIfAbsent(channel.substring(channel.indexOf(':') + 1), System.nanoTime());
            }
        };
        Thread subscriber = new Thread(() -> {
            try (Jedis connection = new Jedis(stack.redis.url())) {
                connection.psubscribe(listener, "__keyspace@0__:order:1*");
            }
        }, "keyspace-events");
        subscriber.start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> listener.getSubscribedChannels() > 0);

        List<Long> toInvalidated = new ArrayList<>();
        List<Long> toBarrier = new ArrayList<>();
        for (int id = 1000; id < 1000 + rows; id++) {
            String status = "paid-" + id;
            Lsn lsn;
            long committed;
            try (Connection session = stack.session(); Statement s = session.createStatement()) {
                s.executeUpdate("UPDATE shop_orders SET status = '" + status + "' WHERE id = " + id);
                committed = System.nanoTime();
                lsn = lsn(s);
            }
            HttpResponse<String> answer = barrier(SET, lsn, 30_000);
            long released = System.nanoTime();
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(row(redis.get("order:" + id))).as("the cache when the barrier returned").containsEntry("status", status);
            toBarrier.add((released - committed) / 1_000_000);
            Long invalidated = firstSet.get("order:" + id);
            assertThat(invalidated).as("a keyspace event for order:" + id).isNotNull();
            toInvalidated.add((invalidated - committed) / 1_000_000);
        }
        listener.punsubscribe();
        subscriber.join(10_000);
        System.out.println("commit to key written (" + rows + " updates, one at a time): " + percentiles(toInvalidated));
        System.out.println("commit to barrier released: " + percentiles(toBarrier));
    }

    @Test
    @Order(3)
    void aBarrierOnAnLsnAfterWhichNothingMatchedReturnsWithoutAMatchingChange() throws Exception {
        Lsn unrelated = write("INSERT INTO audit_log (what) VALUES ('not an order')");
        HttpResponse<String> afterUnrelated = barrier(SET, unrelated, 10_000);
        assertThat(afterUnrelated.statusCode()).isEqualTo(200);

        Lsn nothing;
        try (Connection session = stack.session(); Statement s = session.createStatement()) {
            nothing = lsn(s); // no write at all: only heartbeats move capture past it
        }
        HttpResponse<String> afterNothing = barrier(SET, nothing, 10_000);
        assertThat(afterNothing.statusCode()).isEqualTo(200);
        System.out.println("barrier after an unrelated write: " + json(afterUnrelated).path("waitedMs").asLong() + " ms; after no write: "
                + json(afterNothing).path("waitedMs").asLong() + " ms");
    }

    @Test
    @Order(4)
    void aBarrierThatCannotBeMetAnswers408WithWhatIsDelivered() throws Exception {
        Lsn now;
        try (Connection session = stack.session(); Statement s = session.createStatement()) {
            now = lsn(s);
        }
        Lsn ahead = new Lsn(now.value() + 0x40000000L); // a GiB of WAL nobody has written
        HttpResponse<String> answer = barrier(SET, ahead, 1000);

        assertThat(answer.statusCode()).isEqualTo(408);
        assertThat(answer.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        JsonNode problem = json(answer);
        assertThat(Lsn.parse(problem.path("deliveredThroughLsn").asText())).as("what earlier barriers proved").isLessThan(ahead);
        assertThat(problem.path("lsn").asText()).isEqualTo(ahead.toString());
    }

    @Test
    @Order(5)
    void redisKilledAndRestartedMidStreamSkipsNoChange() throws Exception {
        write("INSERT INTO shop_orders (id, customer_id, status) SELECT g, 2, 'new' FROM generate_series(2000, 2049) g");
        for (int i = 0; i < 50; i++) {
            write("UPDATE shop_orders SET version = version + 1 WHERE id = " + (2000 + i % 50));
        }
        stack.redis.kill();
        Lsn during = null;
        for (int i = 0; i < 100; i++) {
            during = write("UPDATE shop_orders SET version = version + 1 WHERE id = " + (2000 + i % 50));
        }
        HttpResponse<String> whileDown = barrier(SET, during, 1500);
        assertThat(whileDown.statusCode()).as("not delivered while Redis is down").isEqualTo(408);
        assertThat(Lsn.parse(json(whileDown).path("deliveredThroughLsn").asText())).isLessThan(during);

        stack.redis.restart();
        redis.close();
        redis = new JedisPooled(stack.redis.url()); // the old pool's connections died with the server
        Lsn last = null;
        for (int i = 0; i < 50; i++) {
            last = write("UPDATE shop_orders SET version = version + 1 WHERE id = " + (2000 + i % 50));
        }
        assertThat(barrier(SET, last, 60_000).statusCode()).isEqualTo(200);
        Map<Integer, Integer> expected = versions("SELECT id, version FROM shop_orders WHERE id BETWEEN 2000 AND 2049");
        expected.forEach((id, version) -> assertThat(row(redis.get("order:" + id))).as("order " + id)
                .containsEntry("version", Integer.toString(version)));
        assertThat(expected.values()).allMatch(v -> v == 4);
    }

    @Test
    @Order(6)
    void everyChangeDeliveredAgainInAFreshConsumerGroupLeavesNoOlderValueAtAnyTime() throws Exception {
        Map<Integer, Integer> expected = versions("SELECT id, version FROM shop_orders WHERE id BETWEEN 2000 AND 2049");
        List<String> keys = expected.keySet().stream().map(id -> "order:" + id).toList();
        AtomicBoolean replaying = new AtomicBoolean(true);
        List<String> older = new CopyOnWriteArrayList<>();
        int[] samples = {0};
        Thread watcher = new Thread(() -> {
            try (JedisPooled watch = new JedisPooled(stack.redis.url())) {
                while (replaying.get()) {
                    List<String> values = watch.mget(keys.toArray(String[]::new));
                    for (int i = 0; i < values.size(); i++) {
                        int id = Integer.parseInt(keys.get(i).substring("order:".length()));
                        int seen = values.get(i) == null ? -1 : Integer.parseInt(row(values.get(i)).get("version"));
                        if (seen < expected.get(id)) {
                            older.add(keys.get(i) + " showed version " + seen + " < " + expected.get(id));
                        }
                    }
                    samples[0]++;
                }
            }
        }, "watch-values");
        watcher.start();

        stack.killGateway();
        stack.startGateway(Map.of("DM_GATEWAY_REDIS_GROUP", "dm-gateway-redis-replay-" + stack.prefix)); // reads every dm.sub.* from the start
        Lsn after = write("INSERT INTO audit_log (what) VALUES ('after the replay')");
        assertThat(barrier(SET, after, 120_000).statusCode()).isEqualTo(200);
        replaying.set(false);
        watcher.join(10_000);

        assertThat(samples[0]).as("the watcher sampled during the replay").isGreaterThan(10);
        assertThat(older).as("values older than the newest, seen while every change was delivered again").isEmpty();
        expected.forEach((id, version) -> assertThat(row(redis.get("order:" + id))).containsEntry("version", Integer.toString(version)));
    }

    @Test
    @Order(7)
    void readersFillingTheCacheNeverSeeAValueOlderThanAWriteWhoseBarrierReturned() throws Exception {
        new ConcurrentReadWrite(stack, SET, EVICT).run();
    }

    Lsn write(String sql) throws Exception {
        try (Connection session = stack.session(); Statement s = session.createStatement()) {
            s.execute(sql);
            return lsn(s);
        }
    }

    static Lsn lsn(Statement s) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    static HttpResponse<String> barrier(String subscription, Lsn lsn, int timeoutMs) throws Exception {
        return stack.api("GET", "/api/consistency?subscription=" + subscription + "&lsn=" + lsn + "&timeoutMs=" + timeoutMs, null);
    }

    private Map<Integer, Integer> versions(String sql) throws Exception {
        Map<Integer, Integer> versions = new HashMap<>();
        try (Connection c = stack.session(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                versions.put(rs.getInt(1), rs.getInt(2));
            }
        }
        return versions;
    }

    /** A cached row as text values, whichever JSON types it was written with. */
    static Map<String, String> row(String json) {
        assertThat(json).as("a cached row").isNotNull();
        Map<String, String> row = new HashMap<>();
        Json.tree(json.getBytes(StandardCharsets.UTF_8), "row").properties().forEach(e -> row.put(e.getKey(), e.getValue().asText()));
        return row;
    }

    private static JsonNode json(HttpResponse<String> answer) {
        return Json.tree(answer.body().getBytes(StandardCharsets.UTF_8), "answer");
    }

    static String percentiles(List<Long> millis) {
        List<Long> sorted = new ArrayList<>(millis);
        sorted.sort(null);
        return "p50 " + sorted.get(sorted.size() / 2) + " ms, p95 " + sorted.get((int) Math.ceil(sorted.size() * 0.95) - 1) + " ms, max "
                + sorted.get(sorted.size() - 1) + " ms (n=" + sorted.size() + ")";
    }
}
