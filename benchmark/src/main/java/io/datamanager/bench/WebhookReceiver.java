package io.datamanager.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.datamanager.model.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A webhook endpoint on loopback that answers 204 at once and counts what it received per path: distinct changes by
 * {@code webhook-id} (a redelivery counts once), every request, and on timed paths when each change arrived, next to
 * its commit time from the body, for commit-to-webhook latency on one clock.
 */
final class WebhookReceiver implements AutoCloseable {
    /** A change received: its row's {@code id}, when its transaction committed, when it arrived. */
    record Arrival(long rowId, Instant commitTs, Instant receivedAt) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final Map<String, Set<String>> ids = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    private final Map<String, Map<Long, Arrival>> arrivals = new ConcurrentHashMap<>();

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        Instant at = Instant.now();
        String path = exchange.getRequestURI().getPath();
        byte[] body = exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
        requests.computeIfAbsent(path, p -> new AtomicLong()).incrementAndGet();
        String id = exchange.getRequestHeaders().getFirst("webhook-id");
        ids.computeIfAbsent(path, p -> ConcurrentHashMap.newKeySet()).add(id == null ? "request-" + System.nanoTime() : id);
        Map<Long, Arrival> timed = arrivals.get(path);
        if (timed != null) {
            JsonNode event = Json.tree(body, "webhook body");
            long rowId = event.path("pk").path("id").asLong();
            timed.putIfAbsent(rowId, new Arrival(rowId, Instant.parse(event.path("commitTs").asText()), at));
        }
    }

    /** Notes, for changes delivered to {@code path} from now on, when each arrived. */
    void time(String path) {
        arrivals.putIfAbsent(path, new ConcurrentHashMap<>());
    }

    Map<Long, Arrival> arrivals(String path) {
        return arrivals.getOrDefault(path, Map.of());
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Distinct changes received on {@code path}. */
    long distinct(String path) {
        Set<String> seen = ids.get(path);
        return seen == null ? 0 : seen.size();
    }

    long requests(String path) {
        AtomicLong n = requests.get(path);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
