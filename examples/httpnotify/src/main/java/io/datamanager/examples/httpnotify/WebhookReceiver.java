package io.datamanager.examples.httpnotify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * An HTTP endpoint for datamanager's webhooks: answers 401 to a request whose signature does not verify, 204 to a
 * change it takes, and hands each change to {@code onChange} once (a redelivery has the same {@code webhook-id}).
 */
public final class WebhookReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private volatile WebhookVerifier verifier;

    public WebhookReceiver(int port, Consumer<JsonNode> onChange) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/hook", exchange -> handle(exchange, onChange));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** The secret the registration answered with; until it is set every request is refused. */
    public void secret(String secret) {
        verifier = new WebhookVerifier(secret, Duration.ofMinutes(5), Clock.systemUTC());
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    private void handle(HttpExchange exchange, Consumer<JsonNode> onChange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            var headers = exchange.getRequestHeaders();
            String id = headers.getFirst("webhook-id");
            WebhookVerifier current = verifier;
            if (current == null || !current.verify(id, headers.getFirst("webhook-timestamp"), headers.getFirst("webhook-signature"), body)) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            if (seen.add(id)) {
                onChange.accept(JSON.readTree(body));
            }
            exchange.sendResponseHeaders(204, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
