package io.datamanager.examples.cacheupdate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * datamanager's read-your-writes barrier: after a commit, {@link #lsn} reads the WAL position in the same
 * session, and {@link #await} returns once every change of the subscription up to it has been delivered.
 */
public final class Barrier {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String token;

    public Barrier(String baseUrl, String token) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
    }

    /** The WAL position after this session's last commit (synchronous_commit on; else use pg_current_wal_insert_lsn()). */
    public static String lsn(Connection session) throws SQLException {
        try (Statement s = session.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Returns the delivered-through LSN; throws when the timeout passed first (the answer says how far delivery got). */
    public String await(String subscription, String lsn, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/consistency?subscription="
                        + URLEncoder.encode(subscription, StandardCharsets.UTF_8) + "&lsn=" + URLEncoder.encode(lsn, StandardCharsets.UTF_8)
                        + "&timeoutMs=" + timeout.toMillis()))
                .header("Authorization", "Bearer " + token).timeout(timeout.plusSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(answer.body());
        if (answer.statusCode() != 200) {
            throw new IOException("barrier answered " + answer.statusCode() + ": " + body.path("detail").asText(answer.body()));
        }
        return body.path("deliveredThroughLsn").asText();
    }

    /** PUT /api/subscriptions/{id}: registers (or replaces) a subscription. */
    public void subscribe(String id, String json) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/subscriptions/" + id))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200 && answer.statusCode() != 201) {
            throw new IOException("registering " + id + " answered " + answer.statusCode() + ": " + answer.body());
        }
    }
}
