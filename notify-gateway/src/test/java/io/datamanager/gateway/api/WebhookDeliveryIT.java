package io.datamanager.gateway.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.datamanager.gateway.delivery.WebhookSigner;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.Op;
import io.datamanager.model.RowKey;
import io.datamanager.testsupport.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Webhook delivery from dm.sub.* to real loopback receivers: signed, in order per row, retried, isolated, dead-lettered. */
@QuarkusTest
@QuarkusTestResource(value = DeliveryKafka.class, restrictToAnnotatedClass = true)
class WebhookDeliveryIT {
    private static final Map<String, List<Received>> received = new ConcurrentHashMap<>();
    private static final AtomicInteger flakyCalls = new AtomicInteger();
    private static final List<String> flakyIds = new CopyOnWriteArrayList<>();
    private static final java.util.concurrent.atomic.AtomicBoolean brokenFixed = new java.util.concurrent.atomic.AtomicBoolean();
    private static final CountDownLatch release = new CountDownLatch(1);
    private static final CountDownLatch slowRowAnswers = new CountDownLatch(1);
    private static final HttpServer server = receiver();
    private static long lsn = 0x3000000;

    record Received(Map<String, String> headers, byte[] body) {}

    private static HttpServer receiver() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            s.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                byte[] body = exchange.getRequestBody().readAllBytes();
                int status = switch (path) {
                    case "/flaky" -> {
                        flakyIds.add(exchange.getRequestHeaders().getFirst("webhook-id"));
                        yield flakyCalls.incrementAndGet() <= 3 ? 500 : 200;
                    }
                    case "/broken" -> brokenFixed.get() ? 200 : 500;
                    case "/gone" -> 410;
                    case "/lanes" -> {
                        if (ChangeEvent.fromJson(body).after().path("v").asText().equals("slow")) {
                            try {
                                slowRowAnswers.await(30, TimeUnit.SECONDS); // this row's receiver has not answered yet
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        yield 204;
                    }
                    case "/stuck" -> {
                        try {
                            release.await(30, TimeUnit.SECONDS); // answers only when the test class ends
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        yield 200;
                    }
                    default -> 204;
                };
                if (status < 300) {
                    Map<String, String> headers = new ConcurrentHashMap<>();
                    exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
                    received.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(new Received(headers, body));
                }
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            s.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            s.start();
            return s;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stopReceiver() {
        release.countDown();
        slowRowAnswers.countDown();
        server.stop(0);
    }

    @Test
    void changesArriveSignedAndInOrderPerRow() throws Exception {
        String secret = WebhookSigner.newSecret();
        subscribe("ordered", "/ordered", secret);
        List<ChangeEvent> sent = List.of(event(1, "a"), event(2, "x"), event(1, "b"), event(1, "c"), event(2, "y"));
        for (ChangeEvent e : sent) {
            send("ordered", e);
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.getOrDefault("/ordered", List.of()).size() >= 5);

        List<Received> got = received.get("/ordered");
        assertThat(got).extracting(r -> r.headers().get("webhook-id")).containsExactlyInAnyOrderElementsOf(sent.stream().map(ChangeEvent::id).toList());
        assertThat(got.stream().map(r -> ChangeEvent.fromJson(r.body())).filter(e -> e.pk().get("id").asInt() == 1)
                .map(e -> e.after().get("v").asText())).containsExactly("a", "b", "c");
        WebhookSigner verifier = new WebhookSigner(Clock.systemUTC());
        assertThat(got).allSatisfy(r -> assertThat(verifier.verify(secret, Map.of("webhook-id", r.headers().get("webhook-id"),
                "webhook-timestamp", r.headers().get("webhook-timestamp"), "webhook-signature", r.headers().get("webhook-signature")),
                r.body(), Duration.ofMinutes(5))).isTrue());
        api().get("/api/subscriptions/ordered").then().statusCode(200)
                .body("status.deliveredThroughLsn", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void aRowWhoseReceiverIsSlowHoldsUpNeitherOtherRowsOfItsPartitionNorItsOwnOrder() throws Exception {
        subscribe("lanes", "/lanes", null);
        ChangeEvent slow = event(21, "slow");
        ChangeEvent slowRowNext = event(21, "next");
        int lanes = 8; // DM_WEBHOOK_CONCURRENCY's default
        List<ChangeEvent> others = new java.util.ArrayList<>();
        for (int id = 22; others.size() < 5; id++) {
            ChangeEvent other = event(id, "other");
            if (Math.floorMod(other.key().hashCode(), lanes) != Math.floorMod(slow.key().hashCode(), lanes)) {
                others.add(other); // a row of another lane; rows sharing a lane wait for each other
            }
        }
        send("lanes", 0, slow); // all in one partition, the slow row first
        send("lanes", 0, slowRowNext);
        for (ChangeEvent other : others) {
            send("lanes", 0, other);
        }

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.getOrDefault("/lanes", List.of()).size() >= others.size());
        assertThat(received.get("/lanes")).extracting(r -> r.headers().get("webhook-id"))
                .as("the other rows arrived while the slow row's receiver had not answered, and the slow row's next change waits")
                .containsExactlyInAnyOrderElementsOf(others.stream().map(ChangeEvent::id).toList());

        slowRowAnswers.countDown();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.get("/lanes").size() >= others.size() + 2);
        assertThat(received.get("/lanes").stream().map(r -> ChangeEvent.fromJson(r.body())).filter(e -> e.pk().get("id").asInt() == 21)
                .map(e -> e.after().get("v").asText())).containsExactly("slow", "next");
    }

    @Test
    void duringASecretRotationBothSecretsSign() throws Exception {
        String oldSecret = WebhookSigner.newSecret();
        subscribe("rotating", "/rotating", oldSecret);
        String newSecret = api().post("/api/subscriptions/rotating/secret/rotate?graceMinutes=30").then().statusCode(200)
                .extract().path("secret");
        // an edit during the grace period (the console's form sends no secret) keeps both secrets and the grace period
        api().contentType("application/json").body("{\"table\":\"public.t\",\"ops\":[\"insert\",\"update\"],\"delivery\":{\"webhook\":"
                + "{\"url\":\"http://127.0.0.1:" + server.getAddress().getPort() + "/rotating\"}}}").put("/api/subscriptions/rotating")
                .then().statusCode(200).body("delivery.webhook", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("secret")));
        send("rotating", event(11, "after rotation"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !received.getOrDefault("/rotating", List.of()).isEmpty());

        Received got = received.get("/rotating").get(0);
        Map<String, String> headers = Map.of("webhook-id", got.headers().get("webhook-id"), "webhook-timestamp",
                got.headers().get("webhook-timestamp"), "webhook-signature", got.headers().get("webhook-signature"));
        WebhookSigner verifier = new WebhookSigner(Clock.systemUTC());
        assertThat(newSecret).isNotEqualTo(oldSecret);
        assertThat(verifier.verify(newSecret, headers, got.body(), Duration.ofMinutes(5))).isTrue();
        assertThat(verifier.verify(oldSecret, headers, got.body(), Duration.ofMinutes(5))).as("old secret during the grace period").isTrue();
        api().get("/api/subscriptions/rotating").then().body("delivery.webhook.previousSecretUntil", org.hamcrest.Matchers.notNullValue())
                .body("delivery.webhook", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("previousSecret")));
    }

    @Test
    void aFailingEndpointIsRetriedUntilItAnswersWhileAStuckOneHoldsUpNobodyElse() throws Exception {
        subscribe("stuck", "/stuck", null);
        subscribe("flaky", "/flaky", null);
        send("stuck", event(7, "waits"));
        ChangeEvent eventually = event(8, "eventually");
        send("flaky", eventually);

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.getOrDefault("/flaky", List.of()).size() == 1);
        assertThat(flakyCalls.get()).as("three failures, then success").isEqualTo(4);
        assertThat(flakyIds).as("every attempt carries the same webhook-id").hasSize(4).containsOnly(eventually.id());
        api().get("/api/subscriptions/flaky").then().body("status.failedAttempts", org.hamcrest.Matchers.greaterThanOrEqualTo(2));
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("dm_gateway_webhook_failures_total{subscription=\"flaky\"}"))
                .body(org.hamcrest.Matchers.containsString("dm_gateway_webhook_deliveries_total{subscription=\"flaky\"}"))
                .body(org.hamcrest.Matchers.containsString("dm_gateway_webhook_lag_seconds{subscription=\"flaky\"}"));
        assertThat(received.getOrDefault("/stuck", List.of())).isEmpty();
    }

    @Test
    void afterTheLastAttemptTheChangeIsADeadLetterAnd410DisablesDelivery() throws Exception {
        subscribe("broken", "/broken", null);
        subscribe("gone", "/gone", null);
        ChangeEvent lost = event(9, "nobody takes it");
        send("broken", lost);
        send("gone", event(10, "bye"));

        var letters = TopicReader.readUntil(DeliveryKafka.bootstrap, DeliveryKafka.PREFIX + ".webhook-dlq",
                records -> records.stream().anyMatch(r -> "broken".equals(new String(r.key(), StandardCharsets.UTF_8))), Duration.ofSeconds(30));
        var letter = letters.stream().filter(r -> "broken".equals(new String(r.key(), StandardCharsets.UTF_8))).findFirst().orElseThrow();
        assertThat(ChangeEvent.fromJson(letter.value()).id()).isEqualTo(lost.id());
        assertThat(new String(letter.headers().lastHeader("dm.error").value(), StandardCharsets.UTF_8)).contains("HTTP 500").contains("4 attempts");
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                api().get("/api/subscriptions/gone").then().body("status.disabled", org.hamcrest.Matchers.equalTo(true)));
        api().get("/api/subscriptions/broken").then().body("status.deadLetters", org.hamcrest.Matchers.equalTo(1));

        String name = api().get("/api/subscriptions/broken/dead-letters").then().statusCode(200)
                .body("size()", org.hamcrest.Matchers.equalTo(1)).body("[0].eventId", org.hamcrest.Matchers.equalTo(lost.id()))
                .extract().path("[0].letter");
        api().post("/api/subscriptions/broken/dead-letters/" + name + "/redeliver").then().statusCode(502)
                .contentType("application/problem+json");
        brokenFixed.set(true);
        api().post("/api/subscriptions/broken/dead-letters/" + name + "/redeliver").then().statusCode(200);
        assertThat(received.get("/broken")).extracting(r -> r.headers().get("webhook-id")).containsExactly(lost.id());
        api().get("/api/subscriptions/broken/dead-letters").then().body("size()", org.hamcrest.Matchers.equalTo(0));
    }

    @Test
    void aRecordThatIsNotAChangeIsDeadLetteredAndTheRowsNextChangeStillArrives() throws Exception {
        subscribe("poisoned", "/poisoned", null);
        ChangeEvent next = event(12, "after the poison");
        byte[] garbage = {(byte) 0xff, (byte) 0xfe, 0x00, '{'};
        byte[] wrongShape = "{\"v\":1,\"table\":\"public.t\",\"op\":\"insert\"}".getBytes(StandardCharsets.UTF_8);
        send("poisoned", next.key(), garbage); // the same key: the same partition, right before the change
        send("poisoned", next.key(), wrongShape);
        send("poisoned", next);

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !received.getOrDefault("/poisoned", List.of()).isEmpty());
        String source = DeliveryKafka.PREFIX + ".sub.poisoned";
        var letters = TopicReader.readUntil(DeliveryKafka.bootstrap, DeliveryKafka.PREFIX + ".dlq", records -> records.stream()
                .filter(r -> source.equals(header(r, "dm.source.topic"))).count() >= 2, Duration.ofSeconds(30)).stream()
                .filter(r -> source.equals(header(r, "dm.source.topic"))).toList();
        assertThat(letters).extracting(r -> r.value()).containsExactly(garbage, wrongShape);
        assertThat(letters).allSatisfy(r -> {
            assertThat(header(r, "dm.stage")).isEqualTo("webhook");
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(next.key());
        });
        assertThat(header(letters.get(0), "dm.error")).contains("not valid JSON");
        assertThat(header(letters.get(1), "dm.error")).as("names the field").matches("[a-zA-Z.]+: .+");
        assertThat(received.get("/poisoned")).as("only the change (at least once), nothing made of the poison")
                .extracting(r -> r.headers().get("webhook-id")).containsOnly(next.id());
    }

    private static String header(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void subscribe(String id, String path, String secret) {
        String webhook = "{\"url\":\"http://127.0.0.1:" + server.getAddress().getPort() + path + "\""
                + (secret == null ? "" : ",\"secret\":\"" + secret + "\"") + "}";
        api().contentType("application/json").body("{\"table\":\"public.t\",\"delivery\":{\"webhook\":" + webhook + "}}")
                .put("/api/subscriptions/" + id).then().statusCode(201);
    }

    private static ChangeEvent event(int id, String value) {
        ObjectNode pk = Json.mapper().createObjectNode().put("id", id);
        Lsn at = new Lsn(lsn += 0x100);
        return new ChangeEvent(1, RowKey.eventId("public.t", pk, at), "public.t", Op.INSERT, pk, null, pk.deepCopy().put("v", value),
                List.of(), true, List.of(), at.toString(), lsn, Instant.now(), Instant.now());
    }

    private static void send(String subscription, ChangeEvent event) throws Exception {
        send(subscription, event.key(), event.toJson());
    }

    private static void send(String subscription, String key, byte[] value) throws Exception {
        send(new ProducerRecord<>(DeliveryKafka.PREFIX + ".sub." + subscription, key, value));
    }

    private static void send(String subscription, int partition, ChangeEvent event) throws Exception {
        send(new ProducerRecord<>(DeliveryKafka.PREFIX + ".sub." + subscription, partition, event.key(), event.toJson()));
    }

    private static void send(ProducerRecord<String, byte[]> record) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", DeliveryKafka.bootstrap);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(record).get();
        }
    }

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + DeliveryKafka.TOKEN);
    }
}
