package io.datamanager.gateway.api;

import io.datamanager.web.Problem;
import io.datamanager.web.QueryPrefixes;
import io.datamanager.gateway.config.GatewayConfig;
import io.datamanager.model.TableSchema;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
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
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The history-sink's routes under the same paths on the gateway, so users have one base URL: the caller is
 * authenticated here (its token and scope), then the request goes on with the gateway's own history token,
 * and the answer comes back as it was (streamed). Each route is declared with its parameters, so the gateway's
 * OpenAPI document describes them; the history-sink parses and checks them.
 */
@Path("/api")
public class HistoryPassthrough {
    /** A table's name as capture writes it: {@code schema.table}. */
    static final String TABLE = "[^.\\s]+\\.\\S+";
    /** The {@code context.<key>} search parameter, as the history-sink takes it. */
    static final String CONTEXT_PARAMETER = "a value of the transaction's application context (pg_logical_emit_message 'dm.context'), "
            + "e.g. context.source=billing-job: equal as text, or as the JSON number or boolean the value reads as";

    private final GatewayConfig config;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    HistoryPassthrough(GatewayConfig config) {
        this.config = config;
    }

    @GET
    @Path("/tables")
    @Operation(summary = "The tables history holds, with version counts, last change time and recorded column types")
    @APIResponse(responseCode = "200", description = "the tables history holds",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "TableEntryList")))
    @APIResponse(responseCode = "401", description = "no valid token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
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
    public Response table(@PathParam("table") @Parameter(schema = @Schema(pattern = TABLE)) String table,
            @Context UriInfo uri, @Context HttpHeaders headers) throws Exception {
        return forward("GET", uri, headers, null);
    }

    @GET
    @Path("/history")
    @QueryPrefixes({"pk.", "match.", "context."})
    @Operation(summary = "Versions newest first, narrowed by table, row (pk.<column>), operation, time, changed column, "
            + "row values (match.<column>), source transaction and its application context (context.<key>); each version "
            + "carries its transaction's context")
    @Parameter(name = "pk.{column}", in = ParameterIn.QUERY, description = "a primary key column of the row, e.g. pk.id=42", schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = "match.{column}", in = ParameterIn.QUERY,
            description = "a value the before or after image holds: equal as text, or as JSON when the value is JSON", schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = "context.{key}", in = ParameterIn.QUERY, description = CONTEXT_PARAMETER, schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", description = "one page of versions, newest first", headers = {@Header(name = "DM-Complete-Through-LSN", description = "history held every change committed before this source WAL position", schema = @Schema(type = SchemaType.STRING)), @Header(name = "DM-Complete-Through-Commit", description = "... and before this source time", schema = @Schema(type = SchemaType.STRING, format = "date-time"))},
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "HistoryPage")))
    @APIResponse(responseCode = "400", description = "a parameter is unknown, given twice, empty or malformed: field names it",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "401", description = "no valid token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    public Response history(@QueryParam("table") @Parameter(schema = @Schema(pattern = TABLE)) String table,
            @QueryParam("op") @Parameter(schema = @Schema(type = SchemaType.STRING, enumeration = {"insert", "update", "delete", "snapshot", "truncate"})) String op,
            @QueryParam("since") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "date-time")) String since,
            @QueryParam("until") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "date-time")) String until,
            @QueryParam("changed") String changed,
            @QueryParam("txId") @Parameter(schema = @Schema(type = SchemaType.INTEGER, format = "int64", minimum = "0")) String txId,
            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000")) String limit,
            @QueryParam("cursor") String cursor, @Context UriInfo uri, @Context HttpHeaders headers) throws Exception {
        return forward("GET", uri, headers, null);
    }

    @GET
    @Path("/history/as-of")
    @QueryPrefixes("pk.")
    @Operation(summary = "A row (with pk.<column>) or the whole table as it was at a time")
    @Parameter(name = "pk.{column}", in = ParameterIn.QUERY, description = "a primary key column of the row, e.g. pk.id=42", schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", description = "with pk.<column>: the row (RowAsOf); without: every row of the table (TableAsOf)", headers = {@Header(name = "DM-Complete-Through-LSN", description = "history held every change committed before this source WAL position", schema = @Schema(type = SchemaType.STRING)), @Header(name = "DM-Complete-Through-Commit", description = "... and before this source time", schema = @Schema(type = SchemaType.STRING, format = "date-time"))},
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "AsOf")))
    @APIResponse(responseCode = "404", description = "the row did not exist at that time",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "400", description = "a parameter is unknown, given twice, empty or malformed: field names it",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "401", description = "no valid token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    public Response asOf(@QueryParam("table") @Parameter(required = true, schema = @Schema(pattern = TABLE)) String table,
            @QueryParam("at") @Parameter(required = true, schema = @Schema(type = SchemaType.STRING, format = "date-time")) String at,
            @Context UriInfo uri, @Context HttpHeaders headers) throws Exception {
        return forward("GET", uri, headers, null);
    }

    @GET
    @Path("/history/transactions")
    @QueryPrefixes("context.")
    @Operation(summary = "Source transactions newest first, each with its commit time, tables and rows per operation per table, "
            + "and its application context (who, why), narrowed by table, time and context (context.<key>)")
    @Parameter(name = "context.{key}", in = ParameterIn.QUERY, description = CONTEXT_PARAMETER, schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", description = "one page of transactions, newest first", headers = {@Header(name = "DM-Complete-Through-LSN", description = "history held every change committed before this source WAL position", schema = @Schema(type = SchemaType.STRING)), @Header(name = "DM-Complete-Through-Commit", description = "... and before this source time", schema = @Schema(type = SchemaType.STRING, format = "date-time"))},
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "TransactionPage")))
    @APIResponse(responseCode = "400", description = "a parameter is unknown, given twice, empty or malformed: field names it",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "401", description = "no valid token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    public Response transactions(@QueryParam("table") @Parameter(schema = @Schema(pattern = TABLE)) String table,
            @QueryParam("since") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "date-time")) String since,
            @QueryParam("until") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "date-time")) String until,
            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000")) String limit,
            @QueryParam("cursor") String cursor, @Context UriInfo uri, @Context HttpHeaders headers) throws Exception {
        return forward("GET", uri, headers, null);
    }

    @GET
    @Path("/history/transactions/{txId}")
    @Operation(summary = "One source transaction's summary, with a link to its versions")
    @APIResponse(responseCode = "200", description = "the transaction's summary", headers = {@Header(name = "DM-Complete-Through-LSN", description = "history held every change committed before this source WAL position", schema = @Schema(type = SchemaType.STRING)), @Header(name = "DM-Complete-Through-Commit", description = "... and before this source time", schema = @Schema(type = SchemaType.STRING, format = "date-time"))},
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "Transaction")))
    @APIResponse(responseCode = "404", description = "history holds no change of the transaction",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "400", description = "a parameter is unknown, given twice, empty or malformed: field names it",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "401", description = "no valid token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    public Response transaction(@PathParam("txId") @Parameter(schema = @Schema(type = SchemaType.INTEGER, format = "int64", minimum = "0")) String txId,
            @Context UriInfo uri, @Context HttpHeaders headers) throws Exception {
        return forward("GET", uri, headers, null);
    }

    @GET
    @Path("/history/policies/{table}")
    @Operation(summary = "A table's history policy: tracking, retention, redacted columns")
    @APIResponse(responseCode = "200", description = "the policy (the defaults when none was set)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "Policy")))
    @APIResponse(responseCode = "400", description = "a parameter is unknown, given twice, empty or malformed: field names it",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "401", description = "no valid token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    public Response policy(@PathParam("table") @Parameter(schema = @Schema(pattern = TABLE)) String table,
            @Context UriInfo uri, @Context HttpHeaders headers) throws Exception {
        return forward("GET", uri, headers, null);
    }

    @PUT
    @Path("/history/policies/{table}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Sets a table's history policy; the table and the redacted columns must exist")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PolicyBody.class)))
    @APIResponse(responseCode = "200", description = "the policy saved",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "Policy")))
    @APIResponse(responseCode = "400", description = "a parameter is unknown, given twice, empty or malformed: field names it",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "401", description = "no valid token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "403", description = "a read token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    public Response putPolicy(@PathParam("table") @Parameter(schema = @Schema(pattern = TABLE)) String table,
            @Context UriInfo uri, @Context HttpHeaders headers, byte[] body)
            throws Exception {
        return forward("PUT", uri, headers, body);
    }

    @DELETE
    @Path("/history/policies/{table}")
    @Operation(summary = "Removes a table's history policy: the defaults apply again (tracked, kept forever, nothing redacted)")
    @APIResponse(responseCode = "204", description = "removed")
    @APIResponse(responseCode = "404", description = "the table has no policy",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "401", description = "no valid token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "403", description = "a read token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    public Response deletePolicy(@PathParam("table") @Parameter(schema = @Schema(pattern = TABLE)) String table,
            @Context UriInfo uri, @Context HttpHeaders headers) throws Exception {
        return forward("DELETE", uri, headers, null);
    }

    @GET
    @Path("/history/policies/{table}/audit")
    @Operation(summary = "What retention and erasure removed from a table, newest first")
    @APIResponse(responseCode = "200", description = "newest first, at most 50",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "AuditEntryList")))
    @APIResponse(responseCode = "400", description = "a parameter is unknown, given twice, empty or malformed: field names it",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "401", description = "no valid token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    public Response audit(@PathParam("table") @Parameter(schema = @Schema(pattern = TABLE)) String table,
            @Context UriInfo uri, @Context HttpHeaders headers) throws Exception {
        return forward("GET", uri, headers, null);
    }

    @POST
    @Path("/history/retention/run")
    @Operation(summary = "Runs retention now instead of waiting for its schedule")
    @APIResponse(responseCode = "200", description = "retention ran",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "RetentionRun")))
    @APIResponse(responseCode = "401", description = "no valid token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "403", description = "a read token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    public Response runRetention(@Context UriInfo uri, @Context HttpHeaders headers) throws Exception {
        return forward("POST", uri, headers, null);
    }

    @DELETE
    @Path("/history/rows")
    @QueryPrefixes("pk.")
    @Operation(summary = "Erases every version of one row, logging count and reason")
    @Parameter(name = "pk.{column}", in = ParameterIn.QUERY, required = true, description = "a primary key column of the row", schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", description = "the versions erased",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "Erased")))
    @APIResponse(responseCode = "404", description = "history holds no version of the row",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "400", description = "a parameter is unknown, given twice, empty or malformed: field names it",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "401", description = "no valid token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "403", description = "a read token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    public Response erase(@QueryParam("table") @Parameter(required = true, schema = @Schema(pattern = TABLE)) String table, @QueryParam("reason") String reason,
            @Context UriInfo uri, @Context HttpHeaders headers) throws Exception {
        return forward("DELETE", uri, headers, null);
    }

    @DELETE
    @Path("/history/tables/{table}")
    @Operation(summary = "Removes a table's whole history (one dropped at the source, say), logging count and reason in its audit")
    @APIResponse(responseCode = "200", description = "the versions removed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "TableRemoved")))
    @APIResponse(responseCode = "404", description = "history holds no version of the table",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "401", description = "no valid token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "403", description = "a read token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    public Response removeTable(@PathParam("table") @Parameter(schema = @Schema(pattern = TABLE)) String table,
            @QueryParam("reason") String reason, @Context UriInfo uri, @Context HttpHeaders headers) throws Exception {
        return forward("DELETE", uri, headers, null);
    }

    @POST
    @Path("/restore")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Puts a row, a deleted row or a whole transaction back; a dry run unless dryRun is false")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RestoreBody.class)))
    @APIResponse(responseCode = "200", description = "the plan (a dry run), or the plan applied",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "RestorePlan")))
    @APIResponse(responseCode = "400", description = "a parameter is unknown, given twice, empty or malformed: field names it",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "409", description = "conflicts (the plan under restore), history not complete yet, or the source refused a statement (a constraint)",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "422", description = "the source refused a statement, or rows in a foreign-key cycle that cannot be deferred",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "503", description = "the source database cannot be reached",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "401", description = "no valid token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "403", description = "a read token",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    public Response restore(@Context UriInfo uri, @Context HttpHeaders headers, byte[] body) throws Exception {
        return forward("POST", uri, headers, body);
    }

    /** The policy body, for the OpenAPI document. */
    public record PolicyBody(Boolean tracking, @Schema(minimum = "1") Integer retentionDays, @Schema(minimum = "0") Integer minVersions,
            java.util.List<String> redactedColumns) {}

    /** The restore body, for the OpenAPI document: one row, one transaction, or a window (since, until, tables, ...). */
    public record RestoreBody(String table, java.util.Map<String, Object> pk, @Schema(format = "date-time") String at, Long versionId,
            Long txId, Boolean dryRun, Boolean force, @Schema(format = "date-time") String since,
            @Schema(format = "date-time") String until, java.util.List<String> tables, java.util.List<String> changed,
            java.util.Map<String, Object> match, java.util.List<Long> txIds, @Schema(enumeration = {"all", "mistake-only"}) String columns,
            @Schema(description = "a window's changes only of transactions whose application context holds every one of these "
                    + "values, e.g. {\"source\": \"billing-job\"}") java.util.Map<String, Object> context) {}

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
        for (String header : List.of("Content-Type", "DM-Complete-Through-LSN", "DM-Complete-Through-Commit")) {
            response.headers().firstValue(header).ifPresent(value -> out.header(header, value));
        }
        return out.build();
    }
}
