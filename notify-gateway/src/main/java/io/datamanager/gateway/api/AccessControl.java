package io.datamanager.gateway.api;

import io.datamanager.web.Problem;
import io.datamanager.gateway.config.GatewayConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Bearer tokens on every /api route: {@code read} tokens may read, {@code write} tokens may also change
 * (401 without a valid token, 403 when the scope is short), and each token gets a request budget per minute
 * (429 with Retry-After past it). Health, metrics and OpenAPI under /q need none.
 */
public class AccessControl {
    private final Map<String, String> scopes = new HashMap<>();
    private final int perMinute;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, long[]> windows = new ConcurrentHashMap<>();

    AccessControl(GatewayConfig config) {
        for (String entry : config.tokens().orElse(List.of())) {
            int colon = entry.lastIndexOf(':');
            if (colon > 0) {
                scopes.put(entry.substring(0, colon).trim(), entry.substring(colon + 1).trim());
            }
        }
        this.perMinute = config.requestsPerMinute();
    }

    @ServerRequestFilter(preMatching = true)
    public Response check(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/api")) {
            return null;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.startsWith("Bearer ")) {
            return Problem.response(401, "Unauthorized", "send 'Authorization: Bearer <token>' with an API token", "Authorization");
        }
        String token = header.substring("Bearer ".length()).trim();
        String scope = scopeOf(token);
        if (scope == null) {
            return Problem.response(401, "Unauthorized", scopes.isEmpty()
                    ? "no API token is configured on this server (DM_GATEWAY_TOKENS)" : "the token is not valid", "Authorization");
        }
        boolean reading = request.getMethod().equals("GET") || request.getMethod().equals("HEAD")
                || (request.getMethod().equals("POST") && request.getUriInfo().getPath().endsWith("/preview")); // changes nothing
        if (!reading && !scope.equals("write")) {
            return Problem.response(403, "Forbidden", "this token may only read; changes need a token with the write scope", "Authorization");
        }
        long retryAfter = spend(token);
        if (retryAfter > 0) {
            return Response.fromResponse(Problem.response(429, "Too many requests",
                    "more than " + perMinute + " requests in a minute with this token; try again in " + retryAfter + " s", null))
                    .header("Retry-After", retryAfter).build();
        }
        return null;
    }

    /** The scope of a token, or null when it is not one of ours. */
    String scopeOf(String token) {
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<String, String> entry : scopes.entrySet()) {
            if (MessageDigest.isEqual(given, entry.getKey().getBytes(StandardCharsets.UTF_8))) {
                return entry.getValue();
            }
        }
        return null;
    }

    /** Counts one request in the token's current minute; returns the seconds to wait, or 0 when allowed. */
    private long spend(String token) {
        long now = clock.millis();
        long[] window = windows.computeIfAbsent(token, t -> new long[] {now, 0});
        synchronized (window) {
            if (now - window[0] >= 60_000) {
                window[0] = now;
                window[1] = 0;
            }
            if (window[1] >= perMinute) {
                return Math.max(1, (window[0] + 60_000 - now + 999) / 1000);
            }
            window[1]++;
            return 0;
        }
    }
}
