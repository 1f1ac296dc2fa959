package io.datamanager.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.datamanager.examples.httpnotify.WebhookVerifier;
import io.datamanager.model.ExactJson;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * A webhook endpoint on loopback that keeps every request, redeliveries included (unlike the example's receiver, which
 * hands each change on once), with its {@code webhook-id} and whether its signature verified with the example's
 * {@link WebhookVerifier}; it answers 204 to all, so what arrives twice was sent twice by the gateway.
 */
final class WebhookLog implements AutoCloseable {
    record Delivery(String path, String id, byte[] body, boolean verified, Instant at) {}

    private final HttpServer server;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final Map<String, WebhookVerifier> verifiers = new ConcurrentHashMap<>();

    WebhookLog() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** The URL of {@code path} here, whose requests are verified with {@code secret} once it is given. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    void secret(String path, String secret) {
        verifiers.put(path, new WebhookVerifier(secret, Duration.ofMinutes(10), Clock.systemUTC()));
    }

    List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** The deliveries judged against history (by event id): what was due and never came, came twice, or should not have come. */
    record Tally(int requests, Set<String> missed, Map<String, Long> perId, List<String> invented, List<String> wrong, long unsigned) {}

    Tally tally(Map<String, Versions.Version> history, Set<String> due) {
        List<Delivery> all = deliveries();
        Map<String, Long> perId = all.stream().collect(Collectors.groupingBy(d -> String.valueOf(d.id()), Collectors.counting()));
        List<String> invented = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (Delivery d : all) {
            Versions.Version stored = history.get(d.id());
            if (stored == null) {
                invented.add(d.path() + " webhook-id " + d.id() + ": " + new String(d.body(), StandardCharsets.UTF_8));
            } else if (!Versions.ofEvent(ExactJson.tree(d.body(), "webhook"), d.id()).content().equals(stored.content())) {
                wrong.add(d.id() + ": " + new String(d.body(), StandardCharsets.UTF_8));
            }
        }
        Set<String> missed = new HashSet<>(due);
        missed.removeAll(perId.keySet());
        return new Tally(all.size(), missed, perId, invented, wrong, all.stream().filter(d -> !d.verified()).count());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            var headers = exchange.getRequestHeaders();
            String path = exchange.getRequestURI().getPath();
            String id = headers.getFirst("webhook-id");
            WebhookVerifier verifier = verifiers.get(path);
            boolean verified = verifier != null
                    && verifier.verify(id, headers.getFirst("webhook-timestamp"), headers.getFirst("webhook-signature"), body);
            deliveries.add(new Delivery(path, id, body, verified, Instant.now()));
            exchange.sendResponseHeaders(204, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
