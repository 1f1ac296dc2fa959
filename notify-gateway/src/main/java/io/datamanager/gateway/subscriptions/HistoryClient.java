package io.datamanager.gateway.subscriptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.gateway.config.GatewayConfig;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Op;
import io.datamanager.model.TableSchema;
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
import java.util.List;
import java.util.Optional;

/** What the gateway asks the history-sink: what a table is (to check subscriptions against), and a table's recent changes. */
@ApplicationScoped
public class HistoryClient {
    private final GatewayConfig config;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HistoryClient(GatewayConfig config) {
        this.config = config;
    }

    /** What the history-sink said of a table: what it is, or why it is not known. */
    public sealed interface TableLookup {
        record Known(TableSchema schema) implements TableLookup {}

        record Unknown(String reason) implements TableLookup {}
    }

    /** Thrown when the history-sink cannot answer, so the caller is told to try again rather than refused. */
    public static final class UnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The table's columns, from the source database's catalog or from history ({@code GET /api/tables/{table}});
     * empty when no history-sink is configured (nothing to check against).
     */
    public Optional<TableLookup> table(String table) {
        if (config.historyUrl().isEmpty()) {
            return Optional.empty();
        }
        String path = "/api/tables/" + URLEncoder.encode(table, StandardCharsets.UTF_8).replace("+", "%20");
        HttpResponse<byte[]> response = send(path);
        if (response.statusCode() == 404) {
            JsonNode problem = Json.tree(response.body(), "history answer");
            return Optional.of(new TableLookup.Unknown(problem.path("detail").asText("'" + table + "' is not known")));
        }
        return Optional.of(new TableLookup.Known(Json.read(ok(path, response), TableSchema.class)));
    }

    /** The table's newest changes, newest first. */
    public List<ChangeEvent> recent(String table, int limit) {
        if (config.historyUrl().isEmpty()) {
            throw new UnavailableException("this gateway has no history-sink configured (DM_HISTORY_URL), which a preview reads", null);
        }
        List<ChangeEvent> out = new ArrayList<>();
        String path = "/api/history?limit=" + limit + "&table=" + URLEncoder.encode(table, StandardCharsets.UTF_8);
        HttpResponse<byte[]> response = send(path);
        if (response.statusCode() == 400 && "table".equals(problemField(response))) {
            return out; // a table that exists but has no history yet: nothing to preview on
        }
        for (JsonNode v : Json.tree(ok(path, response), "history answer").path("versions")) {
            out.add(new ChangeEvent(1, v.path("eventId").asText(), v.path("table").asText(), Op.fromWireName(v.path("op").asText()),
                    (ObjectNode) v.path("pk"), object(v, "before"), object(v, "after"), strings(v.path("changed")),
                    v.path("complete").asBoolean(), strings(v.path("missing")), v.path("lsn").asText(),
                    v.hasNonNull("txId") ? v.get("txId").asLong() : null, Instant.parse(v.path("commitTs").asText()), null));
        }
        return out;
    }

    private static String problemField(HttpResponse<byte[]> response) {
        try {
            return Json.tree(response.body(), "history answer").path("field").asText(null);
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    private HttpResponse<byte[]> send(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(config.historyUrl().get().replaceAll("/+$", "") + path))
                .timeout(Duration.ofSeconds(30));
        config.historyToken().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            throw new UnavailableException("the history-sink did not answer (" + e.getMessage() + "); try again shortly", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while asking the history-sink", e);
        }
    }

    /** The body of a 200 answer; any other status means the history-sink could not answer (its problem's detail says why). */
    private static byte[] ok(String path, HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            String detail;
            try {
                detail = Json.tree(response.body(), "history answer").path("detail").asText("");
            } catch (RuntimeException notJson) {
                detail = "";
            }
            throw new UnavailableException("the history-sink answered " + response.statusCode() + " to " + path
                    + (detail.isEmpty() ? "" : ": " + detail), null);
        }
        return response.body();
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
