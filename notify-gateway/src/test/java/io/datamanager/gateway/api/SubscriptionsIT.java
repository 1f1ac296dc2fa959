package io.datamanager.gateway.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.datamanager.gateway.delivery.WebhookSigner;
import io.datamanager.model.subscription.Subscription;
import io.datamanager.testsupport.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Subscriptions through the public API on a real broker: dm.rules is the source of truth, dm.sub.<id> exists first. */
@QuarkusTest
@QuarkusTestResource(value = GatewayKafka.class, restrictToAnnotatedClass = true)
class SubscriptionsIT {

    @Test
    void putCreatesTheTopicThenPublishesTheRuleAndShowsTheSecretOnce() throws Exception {
        String secret = writer().contentType("application/json")
                .body("{\"table\":\"public.orders\",\"columns\":[\"status\"],\"delivery\":{\"webhook\":{\"url\":\"http://127.0.0.1:9/hook\"}}}")
                .put("/api/subscriptions/paid-orders").then().statusCode(201)
                .body("id", equalTo("paid-orders")).body("delivery.webhook.secret", startsWith("whsec_"))
                .extract().path("delivery.webhook.secret");
        assertThat(WebhookSigner.sign(secret, "x", 1, new byte[0])).isNotBlank();

        try (Admin admin = Admin.create(props())) {
            assertThat(admin.listTopics().names().get()).contains(GatewayKafka.PREFIX + ".sub.paid-orders");
        }
        var rules = TopicReader.readUntil(GatewayKafka.bootstrap, GatewayKafka.PREFIX + ".rules",
                records -> records.stream().anyMatch(r -> "paid-orders".equals(new String(r.key(), StandardCharsets.UTF_8))),
                Duration.ofSeconds(30));
        Subscription published = Subscription.fromJson(rules.get(rules.size() - 1).value());
        assertThat(published.columns()).containsExactly("status");
        assertThat(published.delivery().webhook().secret()).isEqualTo(secret);

        reader().get("/api/subscriptions/paid-orders").then().statusCode(200)
                .body("delivery.webhook.secretSet", equalTo(true)).body("delivery.webhook", not(org.hamcrest.Matchers.hasKey("secret")));
        writer().contentType("application/json").body("{\"table\":\"public.orders\",\"ops\":[\"delete\"],"
                + "\"delivery\":{\"webhook\":{\"url\":\"http://127.0.0.1:9/hook\"}}}")
                .put("/api/subscriptions/paid-orders").then().statusCode(200)
                .body("delivery.webhook", not(org.hamcrest.Matchers.hasKey("secret")));
    }

    @Test
    void invalidSubscriptionsAreRefusedNamingTheField() {
        writer().contentType("application/json").body("{\"table\":\"public.orders\",\"filters\":[{\"column\":\"x\",\"op\":\"like\",\"value\":1}]}")
                .put("/api/subscriptions/bad").then().statusCode(400).contentType("application/problem+json")
                .body("field", equalTo("filters[0].op"));
        writer().contentType("application/json").body("{\"table\":\"public.orders\"}")
                .put("/api/subscriptions/Not_Valid").then().statusCode(400).body("field", equalTo("id"));
        writer().contentType("application/json").body("{\"id\":\"other\",\"table\":\"public.orders\"}")
                .put("/api/subscriptions/mine").then().statusCode(400).body("field", equalTo("id"));
        writer().contentType("application/json")
                .body("{\"table\":\"public.orders\",\"delivery\":{\"webhook\":{\"url\":\"ftp://127.0.0.1/x\"}}}")
                .put("/api/subscriptions/ftp").then().statusCode(400).body("field", equalTo("delivery.webhook.url"));
        reader().get("/api/subscriptions/bad").then().statusCode(404).contentType("application/problem+json");
        writer().contentType("application/json").body("{\"table\": ").put("/api/subscriptions/malformed").then().statusCode(400)
                .body("field", equalTo("body"));
        writer().contentType("application/json").body("{\"table\":\"public.orders\",\"columns\":[\"" + "x".repeat(70_000) + "\"]}")
                .put("/api/subscriptions/oversize").then().statusCode(413);
        given().contentType("application/json").body("{\"table\":\"public.orders\"}").put("/api/subscriptions/anonymous").then().statusCode(401);

        // nothing of it reached dm.rules: a marker written after the refusals is the only new record there
        writer().contentType("application/json").body("{\"table\":\"public.orders\"}").put("/api/subscriptions/marker").then().statusCode(201);
        var rules = TopicReader.readUntil(GatewayKafka.bootstrap, GatewayKafka.PREFIX + ".rules",
                records -> records.stream().anyMatch(r -> "marker".equals(new String(r.key(), StandardCharsets.UTF_8))), Duration.ofSeconds(30));
        assertThat(rules).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .doesNotContain("bad", "Not_Valid", "mine", "ftp", "malformed", "oversize", "anonymous");
    }

    @Test
    void deleteWritesATombstoneAndTheViewFollowsDmRulesWrittenByOthers() throws Exception {
        writer().contentType("application/json").body("{\"table\":\"public.t\"}").post("/api/subscriptions").then().statusCode(201);
        String id = "written-elsewhere";
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props(), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(GatewayKafka.PREFIX + ".rules", id,
                    ("{\"id\":\"" + id + "\",\"table\":\"public.t\"}").getBytes(StandardCharsets.UTF_8))).get();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                reader().get("/api/subscriptions").then().body("id", hasItem(id)));
        writer().delete("/api/subscriptions/" + id).then().statusCode(204);
        reader().get("/api/subscriptions/" + id).then().statusCode(404);
        var rules = TopicReader.readUntil(GatewayKafka.bootstrap, GatewayKafka.PREFIX + ".rules",
                records -> records.stream().anyMatch(r -> id.equals(new String(r.key(), StandardCharsets.UTF_8)) && r.value() == null),
                Duration.ofSeconds(30));
        assertThat(rules).isNotEmpty();
    }

    @Test
    void aRuleProducedToDmRulesGetsItsTopicAndAnInvalidOneSaysWhyItMatchesNothing() throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props(), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(GatewayKafka.PREFIX + ".rules", "from-kafka",
                    "{\"id\":\"from-kafka\",\"table\":\"public.t\",\"columns\":[\"status\"]}".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(GatewayKafka.PREFIX + ".rules", "broken-rule",
                    "{\"id\":\"broken-rule\",\"table\":\"public.t\",\"filters\":[{\"column\":\"x\",\"op\":\"like\",\"value\":1}]}"
                            .getBytes(StandardCharsets.UTF_8))).get();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                reader().get("/api/subscriptions/from-kafka").then().statusCode(200).body("columns", hasItem("status")));
        try (Admin admin = Admin.create(props())) {
            assertThat(admin.listTopics().names().get()).as("its topic, made by the gateway where the broker makes none itself")
                    .contains(GatewayKafka.PREFIX + ".sub.from-kafka");
        }
        reader().get("/api/subscriptions/broken-rule").then().statusCode(422).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("filters[0].op"))
                .body("detail", org.hamcrest.Matchers.containsString(GatewayKafka.PREFIX + ".dlq"));
        reader().get("/api/subscriptions").then().body("id", not(hasItem("broken-rule")));

        writer().contentType("application/json").body("{\"table\":\"public.t\"}").put("/api/subscriptions/broken-rule").then().statusCode(201);
        reader().get("/api/subscriptions/broken-rule").then().statusCode(200);
    }

    @Test
    void tokensScopesAndRateLimitGuardTheApiButNotHealth() {
        given().get("/api/subscriptions").then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Bearer nope").get("/api/subscriptions").then().statusCode(401);
        reader().contentType("application/json").body("{\"table\":\"public.t\"}").put("/api/subscriptions/x").then().statusCode(403);
        given().get("/q/health").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200).body(org.hamcrest.Matchers.containsString("/api/subscriptions/{id}/events"))
                .body(org.hamcrest.Matchers.containsString("/api/consistency"));
        int status = 200;
        for (int i = 0; i < 60 && status != 429; i++) {
            status = given().header("Authorization", "Bearer " + GatewayKafka.LIMITED).get("/api/subscriptions").then().extract().statusCode();
        }
        assertThat(status).isEqualTo(429);
        given().header("Authorization", "Bearer " + GatewayKafka.LIMITED).get("/api/subscriptions").then().statusCode(429)
                .header("Retry-After", org.hamcrest.Matchers.notNullValue());
        reader().get("/api/subscriptions").then().statusCode(200);
    }

    private static RequestSpecification writer() {
        return given().header("Authorization", "Bearer " + GatewayKafka.WRITER);
    }

    private static RequestSpecification reader() {
        return given().header("Authorization", "Bearer " + GatewayKafka.READER);
    }

    private static Properties props() {
        Properties props = new Properties();
        props.put("bootstrap.servers", GatewayKafka.bootstrap);
        return props;
    }

}
