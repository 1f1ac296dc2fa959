package io.datamanager.history.api;

import io.datamanager.web.QueryPrefixes;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.history.config.HistoryConfig;
import io.datamanager.history.store.ContextStore;
import io.datamanager.history.store.HistoryQueries;
import io.datamanager.history.store.HistoryQuery;
import io.datamanager.history.store.PolicyStore;
import io.datamanager.history.store.Redaction;
import io.datamanager.history.store.Version;
import io.datamanager.model.Json;
import io.datamanager.model.Op;
import io.datamanager.model.ValidationException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** History of rows: search newest first, a row or a whole table as of a time. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class HistoryResource {
    private final HistoryQueries queries;
    private final ContextStore contexts;
    private final PolicyStore policies;
    private final Redaction redaction;
    private final CompletenessHeaders.RequestMark mark;

    HistoryResource(HistoryQueries queries, ContextStore contexts, PolicyStore policies, HistoryConfig config,
            CompletenessHeaders.RequestMark mark) {
        this.queries = queries;
        this.contexts = contexts;
        this.policies = policies;
        this.mark = mark;
        this.redaction = new Redaction(config.redactionKey());
    }

    public record Page(List<Version> versions, String nextCursor, @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            CompletenessHeaders.CompleteThroughField completeThrough) {}

    @GET
    @Path("/history")
    @QueryPrefixes({"pk.", "match.", "context."})
    public Page history(@QueryParam("table") String table, @QueryParam("op") String op, @QueryParam("since") String since,
            @QueryParam("until") String until, @QueryParam("changed") String changed, @QueryParam("txId") String txId,
            @QueryParam("limit") String limit, @QueryParam("cursor") String cursor, @Context UriInfo uri) throws SQLException {
        Map<String, String> pk = Params.prefixed(uri.getQueryParameters(), "pk.");
        Map<String, HistoryQuery.Match> match = new LinkedHashMap<>();
        Params.prefixed(uri.getQueryParameters(), "match.").forEach((column, value) -> match.put(column, Params.match(column, value)));
        if (table != null) {
            knownTable(table);
            // a redacted column holds the stable hash of its value: search by the hash of the given value
            var policy = policies.get(table);
            match.replaceAll((column, value) -> policy.redactedColumns().contains(column)
                    ? new HistoryQuery.Match(redaction.hash(table, column, Json.mapper().getNodeFactory().textNode(value.text())), null)
                    : value);
        } else if (!pk.isEmpty()) {
            throw new ValidationException("table", "is required with pk.<column>");
        } else if (!match.isEmpty()) {
            throw new ValidationException("table", "is required with match.<column>");
        }
        checkKey(table, pk);
        int pageSize = Params.limit(limit);
        HistoryQuery query = new HistoryQuery(table, pk, op == null ? null : Op.fromWireName(op, "op"), Params.instant("since", since),
                Params.instant("until", until), changed, Params.id("txId", txId), match, Params.context(uri.getQueryParameters(), contexts),
                pageSize, Params.cursor(cursor));
        List<Version> versions = contexts.attach(queries.search(query));
        Version last = versions.size() == pageSize ? versions.get(versions.size() - 1) : null;
        return new Page(versions, last == null ? null : Params.cursor(new HistoryQuery.Cursor(last.commitTs(), last.versionId())),
                mark.field());
    }

    /** {@code jsonNulls}: the columns of {@code row} holding the JSON value null (json/jsonb), not SQL NULL; omitted when none. */
    public record RowAsOf(String table, Instant at, Version version, JsonNode row,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY) List<String> jsonNulls,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            CompletenessHeaders.CompleteThroughField completeThrough) {}

    /** A row as it was at {@code at}; without pk.* the whole table, streamed as a JSON array of rows. */
    @GET
    @Path("/history/as-of")
    @QueryPrefixes("pk.")
    public Object asOf(@QueryParam("table") String table, @QueryParam("at") String at, @Context UriInfo uri) throws SQLException {
        if (table == null || table.isBlank()) {
            throw new ValidationException("table", "is required");
        }
        knownTable(table);
        Instant time = Params.instant("at", at);
        if (time == null) {
            throw new ValidationException("at", "is required: an ISO-8601 time like 2026-11-23T10:15:30Z");
        }
        Map<String, String> pk = Params.prefixed(uri.getQueryParameters(), "pk.");
        if (pk.isEmpty()) {
            return (StreamingOutput) out -> {
                try (JsonGenerator json = Json.mapper().createGenerator(out)) {
                    json.writeStartArray();
                    queries.tableAsOf(table, time, v -> {
                        try {
                            json.writeObject(v.after());
                        } catch (java.io.IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                    json.writeEndArray();
                } catch (SQLException e) {
                    throw new java.io.IOException("reading history failed", e);
                }
            };
        }
        checkKey(table, pk);
        Version version = queries.asOf(table, pk, time).orElse(null);
        if (version != null) {
            version = contexts.attach(List.of(version)).get(0);
        }
        if (version == null || version.rowAfter() == null) {
            throw new NotFoundException("row " + pk + " of " + table + " did not exist at " + time
                    + (version == null ? " (no version recorded by then)" : " (deleted at " + version.commitTs() + ")"));
        }
        return new RowAsOf(table, time, version, version.rowAfter(), version.rowAfterJsonNulls(), mark.field());
    }

    /** pk.* must name key columns of the table: a typo would otherwise just find nothing. */
    private void checkKey(String table, Map<String, String> pk) throws SQLException {
        KeyColumns.check(queries, table, pk.keySet(), "pk.");
    }

    private void knownTable(String table) throws SQLException {
        if (queries.table(table).isEmpty()) {
            throw new ValidationException("table", "'" + table + "' has no history (see GET /api/tables)");
        }
    }
}
