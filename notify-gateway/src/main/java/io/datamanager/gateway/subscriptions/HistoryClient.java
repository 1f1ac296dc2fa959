package io.datamanager.gateway.subscriptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.gateway.config.GatewayConfig;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Op;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** What the gateway asks the history-sink: the tables (and their columns) the pipeline has seen, and a table's recent changes. */
@ApplicationScoped
public class HistoryClient {
    private final GatewayConfig config;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HistoryClient(GatewayConfig config) {
        this.config = config;
    }

    /** Table -> its columns (empty when not known yet); empty when no history-sink is configured. */
    public Optional<Map<String, Set<String>>> tables() throws Exception {
        if (config.historyUrl().isEmpty()) {
            return Optional.empty();
        }
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (JsonNode table : get("/api/tables")) {
            Set<String> columns = new TreeSet<>();
            table.path("columnTypes").fieldNames().forEachRemaining(columns::add);
            out.put(table.path("table").asText(), columns);
        }
        return Optional.of(out);
    }

    /** The table's newest changes, newest first. */
    public List<ChangeEvent> recent(String table, int limit) throws Exception {
        if (config.historyUrl().isEmpty()) {
            throw new IllegalStateException("no history-sink is configured (DM_HISTORY_URL)");
        }
        List<ChangeEvent> out = new ArrayList<>();
        for (JsonNode v : get("/api/history?limit=" + limit + "&table=" + URLEncoder.encode(table, StandardCharsets.UTF_8)).path("versions")) {
            out.add(new ChangeEvent(1, v.path("eventId").asText(), v.path("table").asText(), Op.fromWireName(v.path("op").asText()),
                    (ObjectNode) v.path("pk"), object(v, "before"), object(v, "after"), strings(v.path("changed")),
                    v.path("complete").asBoolean(), strings(v.path("missing")), v.path("lsn").asText(),
                    v.hasNonNull("txId") ? v.get("txId").asLong() : null, Instant.parse(v.path("commitTs").asText()), null));
        }
        return out;
    }

    private JsonNode get(String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(config.historyUrl().get().replaceAll("/+$", "") + path))
                .timeout(Duration.ofSeconds(30));
        config.historyToken().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("history-sink answered " + response.statusCode() + " to " + path);
        }
        return Json.tree(response.body(), "history answer");
    }

    private static ObjectNode object(JsonNode v, String field) {
        return v.path(field).isObject() ? (ObjectNode) v.get(field) : null;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }
}
