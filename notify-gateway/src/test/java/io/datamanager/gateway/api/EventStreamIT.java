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
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Server-Sent Events of a subscription over real HTTP: ids, resume by Last-Event-ID, many clients at once. */
@QuarkusTest
@QuarkusTestResource(value = GatewayKafka.class, restrictToAnnotatedClass = true)
class EventStreamIT {
    private static final String FROM_START = "0:0,1:0,2:0";
    private static long lsn = 0x4000000;

    @TestHTTPResource("/")
    URI base;

    record Sse(List<String[]> events, Stream<String> lines) {}

    @Test
    void clientsGetChangesWithIdsAndResumeWhereTheyStopped() throws Exception {
        given().header("Authorization", "Bearer " + GatewayKafka.WRITER).contentType("application/json")
                .body("{\"table\":\"public.t\"}").put("/api/subscriptions/live").then().statusCode(201);
        ChangeEvent first = event(1);
        ChangeEvent second = event(2);
        send("live", first);
        send("live", second);

        Sse a = connect("live", FROM_START);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> a.events().size() >= 2);
        assertThat(a.events()).extracting(e -> ChangeEvent.fromJson(e[1].getBytes()).id()).containsExactlyInAnyOrder(first.id(), second.id());
        String lastId = a.events().get(1)[0];
        a.lines().close();

        ChangeEvent third = event(3);
        send("live", third);
        Sse b = connect("live", lastId);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !b.events().isEmpty());
        assertThat(b.events()).extracting(e -> ChangeEvent.fromJson(e[1].getBytes()).id()).containsExactly(third.id());
        b.lines().close();

        List<Sse> many = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            many.add(connect("live", FROM_START));
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> many.stream().allMatch(s -> s.events().size() >= 3));
        many.forEach(s -> s.lines().close());
    }

    @Test
    void aBadLastEventIdIsRefusedNamingTheHeaderAndAnUnknownSubscriptionIs404() {
        given().header("Authorization", "Bearer " + GatewayKafka.WRITER).contentType("application/json")
                .body("{\"table\":\"public.t\"}").put("/api/subscriptions/resumable").then().statusCode(201);
        given().header("Authorization", "Bearer " + GatewayKafka.READER).header("Last-Event-ID", "yesterday")
                .get("/api/subscriptions/resumable/events").then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("Last-Event-ID"));
        given().header("Authorization", "Bearer " + GatewayKafka.READER).get("/api/subscriptions/nobody/events").then().statusCode(404);
    }

    private Sse connect(String id, String lastEventId) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/api/subscriptions/" + id + "/events"))
                .header("Authorization", "Bearer " + GatewayKafka.READER).header("Accept", "text/event-stream")
                .header("Last-Event-ID", lastEventId).build();
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        List<String[]> events = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            String[] current = new String[2];
            try {
                response.body().forEach(line -> {
                    if (line.startsWith("id:")) {
                        current[0] = line.substring(3).trim();
                    } else if (line.startsWith("data:")) {
                        current[1] = line.substring(5).trim();
                    } else if (line.isEmpty() && current[1] != null) {
                        events.add(new String[] {current[0], current[1]});
                        current[0] = null;
                        current[1] = null;
                    }
                });
            } catch (RuntimeException closed) {
                // the test closed the stream
            }
        });
        return new Sse(events, response.body());
    }

    private static ChangeEvent event(int id) {
        ObjectNode pk = Json.mapper().createObjectNode().put("id", id);
        Lsn at = new Lsn(lsn += 0x100);
        return new ChangeEvent(1, RowKey.eventId("public.t", pk, at), "public.t", Op.INSERT, pk, null, pk.deepCopy(),
                List.of(), true, List.of(), at.toString(), lsn, Instant.now(), Instant.now());
    }

    private static void send(String subscription, ChangeEvent event) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", GatewayKafka.bootstrap);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(GatewayKafka.PREFIX + ".sub." + subscription, event.key(), event.toJson())).get();
        }
    }
}
