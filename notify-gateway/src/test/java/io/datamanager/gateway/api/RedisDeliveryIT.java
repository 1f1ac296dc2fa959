package io.datamanager.gateway.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.Op;
import io.datamanager.model.RowKey;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * Redis delivery from dm.sub.* to real Redis servers: keys from both images, set and delete, older changes
 * delivered again after newer ones, truncates, named connections, and an outage of Redis mid-stream.
 */
@QuarkusTest
@QuarkusTestResource(value = RedisKafka.class, restrictToAnnotatedClass = true)
class RedisDeliveryIT {
    private static long lsn = 0x5000000;
    private static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", RedisKafka.bootstrap);
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    @Test
    void setWritesTheRowUnderEveryKeyAndAKeyColumnChangeLeavesTheOldKey() throws Exception {
        subscribe("cache-set", "{'keys': ['order:{id}', 'customer-orders:{customer_id}'], 'action': 'set'}");
        try (JedisPooled redis = new JedisPooled(RedisKafka.redis.url())) {
            ObjectNode v1 = row(1, 7, "new");
            send("cache-set", change(Op.INSERT, null, v1));
            await(() -> v1.toString().equals(redis.get("order:1")) && v1.toString().equals(redis.get("customer-orders:7")));

            redis.scriptFlush(); // the gateway calls its script by SHA-1: a Redis that forgot it is given the script again
            ObjectNode v2 = row(1, 8, "paid");
            ChangeEvent moved = change(Op.UPDATE, v1, v2);
            send("cache-set", moved);
            await(() -> v2.toString().equals(redis.get("order:1")) && redis.get("customer-orders:7") == null);
            assertThat(redis.get("customer-orders:8")).isEqualTo(v2.toString());
            assertThat(redis.get("dm:v:order:1")).as("the version beside the key").isEqualTo(String.format("%016X", Lsn.parse(moved.lsn()).value()));

            send("cache-set", change(Op.DELETE, v2, null));
            await(() -> redis.get("order:1") == null && redis.get("customer-orders:8") == null);
            assertThat(redis.ttl("dm:v:order:1")).as("a removed key's version expires").isPositive();
        }
    }

    @Test
    void deleteEvictsTheKeysOfBothImages() throws Exception {
        subscribe("cache-evict", "{'keys': ['order:{id}', 'customer-orders:{customer_id}']}");
        try (JedisPooled redis = new JedisPooled(RedisKafka.redis.url())) {
            for (String key : List.of("order:2", "customer-orders:20", "customer-orders:21")) {
                redis.set(key, "cached");
            }
            send("cache-evict", change(Op.UPDATE, row(2, 20, "new"), row(2, 21, "new")));
            await(() -> redis.get("order:2") == null && redis.get("customer-orders:20") == null && redis.get("customer-orders:21") == null);
        }
    }

    @Test
    void anOlderChangeDeliveredAgainNeverOverwritesANewerOne() throws Exception {
        subscribe("cache-replay", "{'keys': ['order:{id}'], 'action': 'set'}");
        try (JedisPooled redis = new JedisPooled(RedisKafka.redis.url())) {
            ChangeEvent first = change(Op.INSERT, null, row(3, 1, "v1"));
            ChangeEvent second = change(Op.UPDATE, row(3, 1, "v1"), row(3, 1, "v2"));
            ChangeEvent third = change(Op.UPDATE, row(3, 1, "v2"), row(3, 1, "v3"));
            ChangeEvent marker = change(Op.INSERT, null, row(99, 1, "marker"));
            for (ChangeEvent e : List.of(first, third, second, first, marker)) { // second and first arrive after third
                send("cache-replay", e);
            }
            await(() -> redis.get("order:99") != null);
            assertThat(redis.get("order:3")).isEqualTo(row(3, 1, "v3").toString());

            ChangeEvent gone = change(Op.DELETE, row(3, 1, "v3"), null);
            ChangeEvent marker2 = change(Op.INSERT, null, row(98, 1, "marker"));
            for (ChangeEvent e : List.of(gone, third, first, marker2)) {
                send("cache-replay", e);
            }
            await(() -> redis.get("order:98") != null);
            assertThat(redis.get("order:3")).as("a deleted row does not come back from an older change").isNull();
        }
    }

    @Test
    void aBurstIsAppliedInPipelinesInOrderAndEveryKeyEndsAtItsNewestChange() throws Exception {
        subscribe("cache-burst", "{'keys': ['burst:{id}'], 'action': 'set'}");
        try (JedisPooled redis = new JedisPooled(RedisKafka.redis.url()); Burst burst = new Burst("cache-burst")) {
            long evalsBefore = evalCalls(redis);
            java.util.Map<Integer, ObjectNode> newest = new java.util.HashMap<>();
            for (int round = 0; round < 25; round++) { // 1,000 updates of 40 rows: the gateway reads many per poll
                for (int id = 1; id <= 40; id++) {
                    ObjectNode after = row(id, round, "round " + round);
                    burst.send(change(round == 0 ? Op.INSERT : Op.UPDATE, newest.get(id), after));
                    newest.put(id, after);
                }
            }
            Lsn at = new Lsn(lsn += 0x100); // a truncate in the middle: it runs alone, between two pipelines
            burst.send(new ChangeEvent(1, "truncate-" + at, "public.t", Op.TRUNCATE, Json.mapper().createObjectNode(),
                    null, null, List.of(), true, List.of(), at.toString(), lsn, Instant.now(), Instant.now()));
            for (int id = 1; id <= 20; id++) {
                ObjectNode after = row(id, 99, "after the truncate");
                burst.send(change(Op.INSERT, null, after));
                newest.put(id, after);
            }
            ObjectNode gone = newest.get(20);
            burst.send(change(Op.DELETE, gone, null));
            burst.send(change(Op.INSERT, null, row(999, 1, "marker")));
            burst.flush();
            await(() -> redis.get("burst:999") != null);
            for (int id = 1; id <= 19; id++) {
                assertThat(redis.get("burst:" + id)).as("row " + id).isEqualTo(newest.get(id).toString());
            }
            for (int id = 20; id <= 40; id++) {
                assertThat(redis.get("burst:" + id)).as("row " + id + ", deleted or truncated").isNull();
            }
            assertThat(evalCalls(redis) - evalsBefore).as("changes read together went out in pipelines (EVAL)").isPositive();
        }
    }

    /** How many EVAL calls Redis served: only a pipeline sends the script itself (one change at a time goes by EVALSHA). */
    private static long evalCalls(JedisPooled redis) {
        for (String line : redis.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_eval:")) {
                return Long.parseLong(line.replaceAll("^cmdstat_eval:calls=(\\d+),.*", "$1"));
            }
        }
        return 0;
    }

    @Test
    void aTruncateEvictsEveryKeyTheTemplatesCanProduce() throws Exception {
        subscribe("cache-truncate", "{'keys': ['line:{id}']}");
        try (JedisPooled redis = new JedisPooled(RedisKafka.redis.url())) {
            for (int i = 0; i < 300; i++) {
                redis.set("line:" + i, "x");
            }
            redis.set("other:1", "kept");
            Lsn at = new Lsn(lsn += 0x100);
            send("cache-truncate", new ChangeEvent(1, "truncate-" + at, "public.t", Op.TRUNCATE, Json.mapper().createObjectNode(), null,
                    null, List.of(), true, List.of(), at.toString(), lsn, Instant.now(), Instant.now()));
            await(() -> redis.keys("line:*").isEmpty());
            assertThat(redis.get("other:1")).isEqualTo("kept");
        }
    }

    @Test
    void aSubscriptionNamesAConfiguredConnectionAndNothingElse() throws Exception {
        subscribe("cache-second", "{'keys': ['order:{id}'], 'action': 'set', 'connection': 'second'}");
        try (JedisPooled second = new JedisPooled(RedisKafka.second.url())) {
            send("cache-second", change(Op.INSERT, null, row(4, 1, "elsewhere")));
            await(() -> second.get("order:4") != null);
        }
        api().contentType("application/json").body(json("{'table': 'public.t', 'delivery': {'redis': {'keys': ['k:{id}'], 'connection': 'third'}}}"))
                .put("/api/subscriptions/unknown-redis").then().statusCode(400).contentType("application/problem+json")
                .body("field", Matchers.equalTo("delivery.redis.connection")).body("detail", Matchers.containsString("second"))
                .body("detail", Matchers.not(Matchers.containsString("redis://")));
    }

    @Test
    void whileRedisIsDownChangesWaitAndNoneIsSkipped() throws Exception {
        subscribe("cache-outage", "{'keys': ['order:{id}'], 'action': 'set'}");
        try (JedisPooled redis = new JedisPooled(RedisKafka.redis.url())) {
            send("cache-outage", change(Op.INSERT, null, row(500, 1, "before the outage")));
            await(() -> redis.get("order:500") != null);

            RedisKafka.redis.kill();
            for (int i = 501; i <= 520; i++) {
                send("cache-outage", change(Op.INSERT, null, row(i, 1, "during the outage")));
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> api().get("/api/subscriptions/cache-outage").then()
                    .body("status.redis.failedAttempts", Matchers.greaterThanOrEqualTo(2))
                    .body("status.redis.lastError", Matchers.containsString("Redis connection 'default'")));
            RedisKafka.redis.restart();

            Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> redis.get("order:520") != null);
            for (int i = 500; i <= 520; i++) {
                assertThat(redis.get("order:" + i)).as("order " + i).isNotNull();
            }
        }
        given().get("/q/metrics").then().body(Matchers.containsString("dm_gateway_redis_failures_total{subscription=\"cache-outage\"}"));
    }

    private static void await(java.util.concurrent.Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(condition);
    }

    private static void subscribe(String id, String redis) {
        api().contentType("application/json").body(json("{'table': 'public.t', 'delivery': {'redis': " + redis + "}}"))
                .put("/api/subscriptions/" + id).then().statusCode(201);
    }

    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private static ObjectNode row(int id, int customer, String status) {
        return Json.mapper().createObjectNode().put("id", id).put("customer_id", customer).put("status", status);
    }

    private static ChangeEvent change(Op op, ObjectNode before, ObjectNode after) {
        ObjectNode row = after != null ? after : before;
        ObjectNode pk = Json.mapper().createObjectNode().put("id", row.get("id").asInt());
        Lsn at = new Lsn(lsn += 0x100);
        List<String> changed = before != null && after != null ? ChangeEvent.changedColumns(before, after, List.of()) : List.of();
        return new ChangeEvent(1, RowKey.eventId("public.t", pk, at), "public.t", op, pk, before, after, changed, true, List.of(),
                at.toString(), lsn, Instant.now(), Instant.now());
    }

    /** All into partition 0, so a later record (a marker) is delivered after the earlier ones. */
    private static void send(String subscription, ChangeEvent event) throws Exception {
        producer.send(new ProducerRecord<>(RedisKafka.PREFIX + ".sub." + subscription, 0, event.key(), event.toJson())).get();
    }

    /** Records sent without waiting for each, in order (one request in flight), so the gateway finds many at once. */
    private static final class Burst implements AutoCloseable {
        private final String topic;
        private final KafkaProducer<String, byte[]> burst;
        private final List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();

        Burst(String subscription) {
            topic = RedisKafka.PREFIX + ".sub." + subscription;
            Properties props = new Properties();
            props.put("bootstrap.servers", RedisKafka.bootstrap);
            props.put("enable.idempotence", "false");
            props.put("max.in.flight.requests.per.connection", "1");
            props.put("linger.ms", "50");
            burst = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }

        void send(ChangeEvent event) {
            sent.add(burst.send(new ProducerRecord<>(topic, 0, event.key(), event.toJson())));
        }

        void flush() throws Exception {
            burst.flush();
            for (var f : sent) {
                f.get();
            }
        }

        @Override
        public void close() {
            burst.close();
        }
    }

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + RedisKafka.TOKEN);
    }
}
