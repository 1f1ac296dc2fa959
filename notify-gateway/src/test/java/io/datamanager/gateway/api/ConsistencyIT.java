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
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.JedisPooled;

/**
 * The barrier step by step, on real Kafka and Redis: the test plays capture (its offsets topic) and the
 * streams-app (its consumer group's commits), so each step can be held back and released. The whole pipeline
 * is tested end to end in e2e-tests.
 */
@QuarkusTest
@QuarkusTestResource(value = ConsistencyKafka.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsistencyIT {
    private static final String CDC = ConsistencyKafka.PREFIX + ".cdc.public.orders";
    private static KafkaProducer<String, byte[]> producer;
    private static long lsn = 0x7000000;

    @BeforeAll
    static void start() {
        Properties props = new Properties();
        props.put("bootstrap.servers", ConsistencyKafka.bootstrap);
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        producer.close();
    }

    @Test
    @Order(1)
    void theBarrierHoldsUntilCaptureStreamsAndRedisHaveAllPassedTheLsn() throws Exception {
        api().contentType("application/json").body("{\"table\":\"public.orders\",\"delivery\":{\"redis\":{\"keys\":[\"order:{id}\"],\"action\":\"set\"}}}")
                .put("/api/subscriptions/orders-cache").then().statusCode(201);
        ChangeEvent paid = change(1, "paid");
        RecordMetadata raw = producer.send(new ProducerRecord<>(CDC, 0, "public.orders{\"id\":1}", "{}".getBytes(StandardCharsets.UTF_8))).get();
        Lsn written = Lsn.parse(paid.lsn());

        CompletableFuture<ExtractableResponse<Response>> barrier = barrier("orders-cache", written, 30_000);
        holdsFor(barrier, "capture has not reported the LSN");

        captureAt(written);
        holdsFor(barrier, "the streams-app has not read the change");

        producer.send(new ProducerRecord<>(ConsistencyKafka.PREFIX + ".sub.orders-cache", paid.key(), paid.toJson())).get();
        streamsCommitted(new TopicPartition(CDC, 0), raw.offset() + 1);
        ExtractableResponse<Response> answer = barrier.get();

        assertThat(answer.statusCode()).isEqualTo(200);
        try (JedisPooled redis = new JedisPooled(ConsistencyKafka.redis.url())) {
            assertThat(redis.get("order:1")).as("the cache holds the write when the barrier returns").contains("\"paid\"");
        }
        assertThat(Lsn.parse(answer.path("deliveredThroughLsn"))).isGreaterThanOrEqualTo(written);
        assertThat(answer.<String>path("lsn")).isEqualTo(written.toString());
    }

    @Test
    @Order(2)
    void anLsnAfterWhichNothingMatchedReturnsOnceCaptureIsPastIt() throws Exception {
        Lsn idle = new Lsn(lsn += 0x1000);
        captureAt(idle);
        ExtractableResponse<Response> answer = barrier("orders-cache", idle, 30_000).get();
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(Lsn.parse(answer.path("deliveredThroughLsn"))).isGreaterThanOrEqualTo(idle);
    }

    @Test
    @Order(3)
    void whileRedisIsDownTheBarrierTimesOutWithWhatIsDeliveredAndReturnsOnceRedisTookTheChange() throws Exception {
        ConsistencyKafka.redis.kill();
        ChangeEvent shipped = change(1, "shipped");
        RecordMetadata raw = producer.send(new ProducerRecord<>(CDC, 0, "public.orders{\"id\":1}", "{}".getBytes(StandardCharsets.UTF_8))).get();
        producer.send(new ProducerRecord<>(ConsistencyKafka.PREFIX + ".sub.orders-cache", shipped.key(), shipped.toJson())).get();
        Lsn written = Lsn.parse(shipped.lsn());
        captureAt(written);
        streamsCommitted(new TopicPartition(CDC, 0), raw.offset() + 1);

        ExtractableResponse<Response> late = barrier("orders-cache", written, 1500).get();
        assertThat(late.statusCode()).isEqualTo(408);
        assertThat(late.contentType()).startsWith("application/problem+json");
        assertThat(Lsn.parse(late.path("deliveredThroughLsn"))).as("what is proven, short of the write").isLessThan(written);
        assertThat(Lsn.parse(late.path("capturedThroughLsn"))).isGreaterThanOrEqualTo(written);

        ConsistencyKafka.redis.restart();
        assertThat(barrier("orders-cache", written, 30_000).get().statusCode()).isEqualTo(200);
        try (JedisPooled redis = new JedisPooled(ConsistencyKafka.redis.url())) {
            assertThat(redis.get("order:1")).contains("\"shipped\"");
        }
    }

    @Test
    @Order(4)
    void aSubscriptionWithoutChannelsIsDeliveredOnceItsChangesAreOnItsTopic() throws Exception {
        api().contentType("application/json").body("{\"table\":\"public.orders\"}").put("/api/subscriptions/topic-only").then().statusCode(201);
        Lsn at = new Lsn(lsn += 0x1000);
        captureAt(at);
        assertThat(barrier("topic-only", at, 30_000).get().statusCode()).isEqualTo(200);
    }

    @Test
    void badQuestionsGetProblemsNamingTheParameter() {
        api().get("/api/consistency?subscription=orders-cache&lsn=yesterday").then().statusCode(400)
                .contentType("application/problem+json").body("field", Matchers.equalTo("lsn"));
        api().get("/api/consistency?subscription=orders-cache&lsn=0/1&timeoutMs=-5").then().statusCode(400)
                .body("field", Matchers.equalTo("timeoutMs"));
        api().get("/api/consistency?lsn=0/1").then().statusCode(400).body("field", Matchers.equalTo("subscription"));
        api().get("/api/consistency?subscription=nobody&lsn=0/1").then().statusCode(404).contentType("application/problem+json");
        given().get("/api/consistency?subscription=orders-cache&lsn=0/1").then().statusCode(401);
    }

    private static void holdsFor(CompletableFuture<?> barrier, String because) {
        Awaitility.await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3)).until(() -> !barrier.isDone());
        assertThat(barrier).as(because).isNotDone();
    }

    private static CompletableFuture<ExtractableResponse<Response>> barrier(String subscription, Lsn at, int timeoutMs) {
        return CompletableFuture.supplyAsync(() -> api().get("/api/consistency?subscription=" + subscription + "&lsn=" + at
                + "&timeoutMs=" + timeoutMs).then().extract());
    }

    /** Capture commits its source offset: everything up to {@code at} is in Kafka. */
    private static void captureAt(Lsn at) throws Exception {
        producer.send(new ProducerRecord<>(ConsistencyKafka.PREFIX + ".offsets", 0, "[\"dm-capture\",{\"server\":\"x\"}]",
                ("{\"lsn_proc\":" + at.value() + ",\"messageType\":\"COMMIT\",\"lsn_commit\":" + at.value() + ",\"lsn\":" + at.value() + "}")
                        .getBytes(StandardCharsets.UTF_8))).get();
    }

    /** The streams-app's group commits its position in a capture topic, as it does after processing. */
    private static void streamsCommitted(TopicPartition partition, long offset) {
        Properties props = new Properties();
        props.put("bootstrap.servers", ConsistencyKafka.bootstrap);
        props.put("group.id", ConsistencyKafka.STREAMS_GROUP);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(offset)));
        }
    }

    private static ChangeEvent change(int id, String status) {
        ObjectNode pk = Json.mapper().createObjectNode().put("id", id);
        Lsn at = new Lsn(lsn += 0x100);
        return new ChangeEvent(1, RowKey.eventId("public.orders", pk, at), "public.orders", Op.INSERT, pk, null,
                pk.deepCopy().put("status", status), List.of(), true, List.of(), at.toString(), lsn, Instant.now(), Instant.now());
    }

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + ConsistencyKafka.TOKEN);
    }
}
