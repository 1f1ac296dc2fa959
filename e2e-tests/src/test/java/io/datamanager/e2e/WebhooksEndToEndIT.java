package io.datamanager.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.Op;
import io.datamanager.model.RowKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The platform as a user meets it: a subscription registered over HTTP on one column of a table, changes
 * made with SQL, signed webhooks on a local receiver; and a gateway killed during delivery.
 */
class WebhooksEndToEndIT {
    private static Stack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = new Stack();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aOneColumnSubscriptionGetsExactlyThatColumnsChangesSignedUntilItIsUnregistered() throws Exception {
        var created = stack.api("PUT", "/api/subscriptions/status-watch", "{\"table\":\"public.orders\",\"ops\":[\"update\"],"
                + "\"columns\":[\"status\"],\"delivery\":{\"webhook\":{\"url\":\"" + stack.hookUrl("/status") + "\"}}}");
        assertThat(created.statusCode()).isEqualTo(201);
        String secret = Json.tree(created.body().getBytes(StandardCharsets.UTF_8), "r").path("delivery").path("webhook").path("secret").asText();
        assertThat(stack.api("PUT", "/api/subscriptions/sentinel", "{\"table\":\"public.orders\",\"ops\":[\"update\"],"
                + "\"delivery\":{\"webhook\":{\"url\":\"" + stack.hookUrl("/sentinel") + "\"}}}").statusCode()).isEqualTo(201);

        // the rule travels to the streams-app through dm.rules: probe until a status change comes through
        stack.sql("INSERT INTO orders VALUES (0, 'probe-0', NULL)");
        int[] probe = {0};
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            stack.sql("UPDATE orders SET status = 'probe-" + (++probe[0]) + "' WHERE id = 0");
            return !stack.at("/status").isEmpty();
        });

        stack.sql("INSERT INTO orders VALUES (1, 'new', 'first')",
                "UPDATE orders SET status = 'paid' WHERE id = 1",
                "UPDATE orders SET note = 'only the note' WHERE id = 1",
                "UPDATE orders SET status = 'shipped' WHERE id = 1");
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> row1(stack.at("/status")).size() >= 2
                && row1(stack.at("/sentinel")).size() >= 3);

        List<Stack.Delivery> status = row1(stack.at("/status"));
        assertThat(status).extracting(d -> Json.tree(d.body(), "b").path("after").path("status").asText()).containsExactly("paid", "shipped");
        assertThat(status).allSatisfy(d -> {
            JsonNode body = Json.tree(d.body(), "b");
            assertThat(body.path("changed").toString()).contains("status");
            assertThat(body.path("before").path("note").asText()).as("full before image").isNotEmpty();
            assertThat(d.headers().get("webhook-id")).isEqualTo(body.path("id").asText());
            assertThat(independentlyVerified(secret, d)).as("signature").isTrue();
        });
        printLatency(status);

        assertThat(stack.api("DELETE", "/api/subscriptions/status-watch", null).statusCode()).isEqualTo(204);
        stack.sql("UPDATE orders SET status = 'returned' WHERE id = 1");
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> row1(stack.at("/sentinel")).stream()
                .anyMatch(d -> Json.tree(d.body(), "b").path("after").path("status").asText().equals("returned")));
        assertThat(row1(stack.at("/status"))).as("nothing after unregistering").hasSize(2);
    }

    /** Prints commit-to-webhook latency of changes made at a steady 5 per second (a measurement, not an assertion). */
    @Test
    void latencyFromCommitToWebhookAtASteadyRate() throws Exception {
        stack.sql("CREATE TABLE ticks (id integer PRIMARY KEY, n integer NOT NULL)", "INSERT INTO ticks VALUES (1, 0)");
        assertThat(stack.api("PUT", "/api/subscriptions/ticks", "{\"table\":\"public.ticks\",\"ops\":[\"update\"],"
                + "\"delivery\":{\"webhook\":{\"url\":\"" + stack.hookUrl("/ticks") + "\"}}}").statusCode()).isEqualTo(201);
        int[] n = {0};
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            stack.sql("UPDATE ticks SET n = " + (++n[0]) + " WHERE id = 1");
            return !stack.at("/ticks").isEmpty();
        });
        int warm = stack.at("/ticks").size();
        int count = 50;
        var pacer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
        var ticking = pacer.scheduleAtFixedRate(() -> {
            if (made.get() < count) {
                try {
                    stack.sql("UPDATE ticks SET n = " + (1000 + made.incrementAndGet()) + " WHERE id = 1");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }, 0, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> stack.at("/ticks").stream()
                .filter(d -> Json.tree(d.body(), "b").path("after").path("n").asInt() > 1000).count() >= count);
        ticking.cancel(false);
        pacer.shutdown();
        long[] ms = stack.at("/ticks").subList(warm, stack.at("/ticks").size()).stream()
                .filter(d -> Json.tree(d.body(), "b").path("after").path("n").asInt() > 1000)
                .mapToLong(d -> Duration.between(Instant.parse(Json.tree(d.body(), "b").path("commitTs").asText()), d.receivedAt()).toMillis())
                .sorted().toArray();
        System.out.printf("commit to webhook at 5 changes/s: %d changes, p50 %d ms, p95 %d ms, max %d ms%n",
                ms.length, ms[ms.length / 2], ms[ms.length * 95 / 100], ms[ms.length - 1]);
        assertThat(ms).hasSize(count);
    }

    @Test
    void killingTheGatewayDuringDeliveryLosesNothing() throws Exception {
        assertThat(stack.api("PUT", "/api/subscriptions/bulk", "{\"table\":\"public.bulk\",\"delivery\":{\"webhook\":{\"url\":\""
                + stack.hookUrl("/bulk") + "\"}}}").statusCode()).isEqualTo(201);
        Set<String> ids = new java.util.HashSet<>();
        Properties props = new Properties();
        props.put("bootstrap.servers", stack.bootstrap);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 3000; i++) {
                ChangeEvent e = event(i);
                ids.add(e.id());
                producer.send(new ProducerRecord<>(stack.prefix + ".sub.bulk", e.key(), e.toJson()));
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> stack.at("/bulk").size() >= 50);
        stack.killGateway();
        int beforeKill = stack.at("/bulk").size();
        stack.startGateway();
        Awaitility.await().atMost(Duration.ofSeconds(120)).until(() ->
                stack.at("/bulk").stream().map(d -> d.headers().get("webhook-id")).collect(Collectors.toSet()).containsAll(ids));
        int total = stack.at("/bulk").size();
        System.out.printf("gateway killed after %d deliveries; %d events delivered in %d requests (%d redelivered after the restart)%n",
                beforeKill, ids.size(), total, total - ids.size());
        assertThat(beforeKill).as("killed during delivery, not after").isLessThan(ids.size());
    }

    private static List<Stack.Delivery> row1(List<Stack.Delivery> deliveries) {
        return deliveries.stream().filter(d -> Json.tree(d.body(), "b").path("pk").path("id").asInt() == 1).toList();
    }

    /** Standard Webhooks, computed here with javax.crypto only: base64(HMAC-SHA256(key, id.timestamp.body)). */
    private static boolean independentlyVerified(String secret, Stack.Delivery d) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        mac.update((d.headers().get("webhook-id") + "." + d.headers().get("webhook-timestamp") + ".").getBytes(StandardCharsets.UTF_8));
        String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(d.body()));
        return Arrays.asList(d.headers().get("webhook-signature").split(" ")).contains(expected);
    }

    private static void printLatency(List<Stack.Delivery> deliveries) {
        long[] ms = deliveries.stream().mapToLong(d -> Duration.between(
                Instant.parse(Json.tree(d.body(), "b").path("commitTs").asText()), d.receivedAt()).toMillis()).sorted().toArray();
        System.out.printf("commit to webhook received: %s ms%n", Arrays.toString(ms));
    }

    private static ChangeEvent event(int id) {
        ObjectNode pk = Json.mapper().createObjectNode().put("id", id);
        Lsn at = new Lsn(0x9000000L + id * 0x100L);
        return new ChangeEvent(1, RowKey.eventId("public.bulk", pk, at), "public.bulk", Op.INSERT, pk, null, pk.deepCopy(),
                List.of(), true, List.of(), at.toString(), (long) id, Instant.now(), Instant.now());
    }
}
