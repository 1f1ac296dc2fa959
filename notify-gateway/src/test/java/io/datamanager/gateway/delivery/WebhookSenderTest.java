package io.datamanager.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real HTTP on loopback: a receiver that answers as each test tells it, and records what it got. */
class WebhookSenderTest {
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final WebhookSigner signer = new WebhookSigner(clock);
    private static final Vertx vertx = Vertx.vertx();
    private final UrlGuard guard = new UrlGuard(InetAddress::getAllByName, new UrlGuard.Allow(true, false));
    private final WebhookSender sender = new WebhookSender(WebhookSender.client(vertx, Duration.ofSeconds(2)), signer,
            new RetrySchedule(List.of(Duration.ofSeconds(5), Duration.ofSeconds(30)), () -> 0.5), Duration.ofMillis(500), clock);
    private final String secret = WebhookSigner.newSecret();
    private final byte[] body = "{\"op\":\"update\",\"table\":\"public.orders\"}".getBytes(StandardCharsets.UTF_8);
    private final List<Map<String, String>> received = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private volatile Answer answer = exchange -> respond(exchange, 204, "", Map.of());

    interface Answer {
        void handle(HttpExchange exchange) throws IOException;
    }

    @BeforeEach
    void startReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
            headers.put("body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            received.add(headers);
            paths.add(exchange.getRequestURI().getPath());
            answer.handle(exchange);
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stopReceiver() {
        release.countDown();
        server.stop(0);
    }

    @AfterAll
    static void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private UrlGuard.Vetted url(String path) {
        return guard.check("http://127.0.0.1:" + server.getAddress().getPort() + path, "url");
    }

    private static void respond(HttpExchange exchange, int status, String text, Map<String, String> headers) throws IOException {
        headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    @Test
    void a2xxIsDeliveredWithAStandardWebhooksSignatureTheReceiverCanVerify() {
        WebhookSender.Outcome outcome = sender.send(url("/hook"), "evt-42", body, List.of(secret), 1);

        assertThat(outcome).isEqualTo(new WebhookSender.Outcome.Delivered(204));
        Map<String, String> got = received.get(0);
        assertThat(got).containsEntry("webhook-id", "evt-42").containsEntry("content-type", "application/json")
                .containsEntry("body", new String(body, StandardCharsets.UTF_8));
        assertThat(signer.verify(secret, Map.of("webhook-id", got.get("webhook-id"), "webhook-timestamp", got.get("webhook-timestamp"),
                "webhook-signature", got.get("webhook-signature")), body, Duration.ofMinutes(5))).isTrue();
    }

    @Test
    void aServerErrorIsRetriedOnScheduleAndAfterTheLastAttemptBecomesADeadLetter() {
        answer = exchange -> respond(exchange, 500, "database down", Map.of());
        assertThat(sender.send(url("/hook"), "e", body, List.of(secret), 1))
                .isEqualTo(new WebhookSender.Outcome.RetryLater(Duration.ofSeconds(5), "HTTP 500: database down"));
        assertThat(sender.send(url("/hook"), "e", body, List.of(secret), 3)).isInstanceOf(WebhookSender.Outcome.DeadLetter.class)
                .extracting(o -> ((WebhookSender.Outcome.DeadLetter) o).error()).asString().contains("HTTP 500").contains("3 attempts");
    }

    @Test
    void aFailureBeforeAnyRequestFollowsTheSameSchedule() {
        assertThat(sender.failed("host 'x' does not resolve", 1, null))
                .isEqualTo(new WebhookSender.Outcome.RetryLater(Duration.ofSeconds(5), "host 'x' does not resolve"));
        assertThat(sender.failed("host 'x' does not resolve", 3, null)).isInstanceOf(WebhookSender.Outcome.DeadLetter.class);
    }

    @Test
    void retryAfterOfTheReceiverIsHonoured() {
        answer = exchange -> respond(exchange, 503, "", Map.of("Retry-After", "120"));
        assertThat(sender.send(url("/hook"), "e", body, List.of(secret), 1))
                .isEqualTo(new WebhookSender.Outcome.RetryLater(Duration.ofSeconds(120), "HTTP 503"));
    }

    @Test
    void goneStopsDelivery() {
        answer = exchange -> respond(exchange, 410, "", Map.of());
        assertThat(sender.send(url("/hook"), "e", body, List.of(secret), 1)).isInstanceOf(WebhookSender.Outcome.Gone.class);
    }

    @Test
    void redirectsAreNotFollowed() {
        answer = exchange -> respond(exchange, 302, "", Map.of("Location", url("/elsewhere").uri().toString()));
        assertThat(sender.send(url("/hook"), "e", body, List.of(secret), 1)).isInstanceOf(WebhookSender.Outcome.RetryLater.class);
        assertThat(paths).containsExactly("/hook");
    }

    @Test
    void aSlowReceiverTimesOutAndALongAnswerIsCapped() {
        answer = exchange -> {
            try {
                release.await(5, TimeUnit.SECONDS); // answers only when the test ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(exchange, 200, "", Map.of());
        };
        assertThat(sender.send(url("/slow"), "e", body, List.of(secret), 1)).isInstanceOf(WebhookSender.Outcome.RetryLater.class)
                .extracting(o -> ((WebhookSender.Outcome.RetryLater) o).error()).asString().contains("Timeout");

        answer = exchange -> respond(exchange, 400, "x".repeat(100_000), Map.of());
        String error = ((WebhookSender.Outcome.RetryLater) sender.send(url("/big"), "e", body, List.of(secret), 1)).error();
        assertThat(error.length()).isLessThanOrEqualTo(WebhookSender.MAX_RESPONSE_BYTES + "HTTP 400: ".length());
    }
}
