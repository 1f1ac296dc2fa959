package io.datamanager.gateway.api;

import io.datamanager.gateway.config.GatewayConfig;
import io.datamanager.model.TableSchema;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The history-sink's routes under the same paths on the gateway, so users have one base URL: the caller is
 * authenticated here (its token and scope), then the request goes on with the gateway's own history token,
 * and the answer comes back as it was (streamed).
 */
@Path("/api")
public class HistoryPassthrough {
    private final GatewayConfig config;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    HistoryPassthrough(GatewayConfig config) {
        this.config = config;
    }

    @GET
    @Path("/tables")
    public Response tables(@Context UriInfo uri, @Context HttpHeaders headers) throws Exception {
        return forward("GET", uri, headers, null);
    }

    /** Documented here for the gateway's OpenAPI; answered by the history-sink ({@code TableResource} there). */
    @GET
    @Path("/tables/{table}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One table's columns (in table order, with types and primary key) and whether capture publishes it, "
            + "also before its first change: from the source database's catalog, or from history when the history-sink has no "
            + "source connection")
    @APIResponse(responseCode = "200", description = "the table; columnsFrom says where its columns were read (catalog or history)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TableSchema.class)))
    @APIResponse(responseCode = "404", description = "neither the source database nor history knows the table: problem+json saying why")
    @APIResponse(responseCode = "503", description = "the table has no history and the source database could not be read")
    public Response table(@PathParam("table") String table, @Context UriInfo uri, @Context HttpHeaders headers) throws Exception {
        return forward("GET", uri, headers, null);
    }

    @GET
    @Path("/history{rest: (/.*)?}")
    public Response get(@Context UriInfo uri, @Context HttpHeaders headers) throws Exception {
        return forward("GET", uri, headers, null);
    }

    @PUT
    @Path("/history{rest: (/.*)?}")
    public Response put(@Context UriInfo uri, @Context HttpHeaders headers, byte[] body) throws Exception {
        return forward("PUT", uri, headers, body);
    }

    @POST
    @Path("/history{rest: (/.*)?}")
    public Response post(@Context UriInfo uri, @Context HttpHeaders headers, byte[] body) throws Exception {
        return forward("POST", uri, headers, body);
    }

    @DELETE
    @Path("/history{rest: (/.*)?}")
    public Response delete(@Context UriInfo uri, @Context HttpHeaders headers) throws Exception {
        return forward("DELETE", uri, headers, null);
    }

    @POST
    @Path("/restore")
    public Response restore(@Context UriInfo uri, @Context HttpHeaders headers, byte[] body) throws Exception {
        return forward("POST", uri, headers, body);
    }

    private Response forward(String method, UriInfo uri, HttpHeaders headers, byte[] body) throws Exception {
        if (config.historyUrl().isEmpty()) {
            return Problem.response(503, "History not connected", "this gateway has no history-sink configured (DM_HISTORY_URL)", null);
        }
        String query = uri.getRequestUri().getRawQuery();
        URI target = URI.create(config.historyUrl().get().replaceAll("/+$", "") + uri.getRequestUri().getRawPath()
                + (query == null ? "" : "?" + query));
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofMinutes(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        config.historyToken().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        if (headers.getMediaType() != null) {
            request.header("Content-Type", headers.getMediaType().toString());
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.io.IOException e) {
            return Problem.response(502, "History unavailable", "the history-sink did not answer: " + e.getMessage(), null);
        }
        InputStream answer = response.body();
        Response.ResponseBuilder out = Response.status(response.statusCode())
                .entity((StreamingOutput) stream -> {
                    try (answer) {
                        answer.transferTo(stream);
                    }
                });
        response.headers().firstValue("Content-Type").ifPresent(type -> out.header("Content-Type", type));
        return out.build();
    }
}
