package io.datamanager.history.api;

import io.datamanager.web.Problem;
import io.datamanager.history.config.HistoryConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Every /api route needs {@code Authorization: Bearer <token>} with a configured token; health and metrics do not. */
public class BearerTokens {
    private final List<String> tokens;

    BearerTokens(HistoryConfig config) {
        this.tokens = config.apiTokens().orElse(List.of()).stream().filter(t -> !t.isBlank()).toList();
    }

    @ServerRequestFilter(preMatching = true)
    public Response check(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api")) {
            return null;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.startsWith("Bearer ")) {
            return Problem.response(401, "Unauthorized", "send 'Authorization: Bearer <token>' with an API token", "Authorization", null);
        }
        byte[] given = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        for (String token : tokens) {
            if (MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8))) {
                return null;
            }
        }
        return Problem.response(401, "Unauthorized", tokens.isEmpty()
                ? "no API token is configured on this server (DM_API_TOKENS)" : "the token is not valid", "Authorization", null);
    }
}
