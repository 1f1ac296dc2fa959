package io.datamanager.gateway.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code GET /api/token}: the scope of the token the request carries, so a client (the console) can tell before
 * trying whether it may change things; the server refuses a read token's changes with 403 whatever a client shows.
 */
@Path("/api/token")
public class TokenResource {
    private final AccessControl access;

    TokenResource(AccessControl access) {
        this.access = access;
    }

    /** @param scope {@code read} (may read) or {@code write} (may also change: subscriptions, restores, policies) */
    public record Scope(String scope) {}

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The scope of the calling token: read or write")
    public Scope scope(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        // AccessControl let the request in, so the header holds a valid bearer token
        return new Scope(access.scopeOf(authorization.substring("Bearer ".length()).trim()));
    }
}
