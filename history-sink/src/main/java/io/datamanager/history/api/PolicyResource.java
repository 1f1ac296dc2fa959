package io.datamanager.history.api;

import io.datamanager.web.QueryPrefixes;
import io.datamanager.history.store.HistoryQueries;
import io.datamanager.history.store.Maintenance;
import io.datamanager.history.store.Policy;
import io.datamanager.history.store.PolicyStore;
import io.datamanager.history.store.Redaction;
import io.datamanager.history.store.RetentionJob;
import io.datamanager.history.store.Version;
import io.datamanager.history.tables.TableDirectory;
import io.datamanager.model.Json;
import io.datamanager.model.TableSchema;
import io.datamanager.model.ValidationException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * (All under the class path {@code /api}, as HistoryResource: JAX-RS matches the longest class path first, so a
 * class on {@code /api/history} would hide {@code GET /api/history}.)
 *
 * Per-table policies (tracking, retention, redaction), their audit log, and erasing a row's history. A policy is
 * set only for a table that exists and only on its columns (or {@code context.<key>}: a key of the application context,
 * redacted in every transaction's context), and can be removed again.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {
    private final PolicyStore policies;
    private final Maintenance maintenance;
    private final HistoryQueries queries;
    private final RetentionJob retention;
    private final TableDirectory tables;

    PolicyResource(PolicyStore policies, Maintenance maintenance, HistoryQueries queries, RetentionJob retention, TableDirectory tables) {
        this.policies = policies;
        this.maintenance = maintenance;
        this.queries = queries;
        this.retention = retention;
        this.tables = tables;
    }

    /** The body of a PUT: every field optional (tracked, kept forever, one version kept, nothing redacted). */
    public record PolicyBody(Boolean tracking, Integer retentionDays, Integer minVersions, List<String> redactedColumns) {}

    @GET
    @Path("/history/policies/{table}")
    public Policy get(@PathParam("table") String table) {
        return policies.get(checkName(table));
    }

    @PUT
    @Path("/history/policies/{table}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Policy put(@PathParam("table") String table, byte[] body) throws SQLException {
        checkName(table);
        PolicyBody b = Json.readRequest(body, PolicyBody.class);
        Policy policy = new Policy(table, b.tracking() == null || b.tracking(), b.retentionDays(),
                b.minVersions() == null ? 1 : b.minVersions(), b.redactedColumns());
        TableSchema schema = existing(table);
        List<String> columns = schema.columnNames();
        for (int i = 0; i < policy.redactedColumns().size(); i++) {
            String entry = policy.redactedColumns().get(i);
            if (entry.startsWith(Redaction.CONTEXT_PREFIX) && !columns.contains(entry)) { // a key of the application context
                if (entry.length() == Redaction.CONTEXT_PREFIX.length()) {
                    throw new ValidationException("redactedColumns[" + i + "]", "'context.' must name a key of the context, like context.user");
                }
                io.datamanager.model.Input.text("redactedColumns[" + i + "]", entry);
                continue;
            }
            if (!columns.isEmpty() && !columns.contains(policy.redactedColumns().get(i))) {
                throw new ValidationException("redactedColumns[" + i + "]", "'" + policy.redactedColumns().get(i) + "' is not a column of "
                        + table + " " + columns);
            }
        }
        return policies.save(policy);
    }

    /** Removes the policy: the table's history is kept as by default again (tracked, kept forever, nothing redacted). */
    @DELETE
    @Path("/history/policies/{table}")
    public Response delete(@PathParam("table") String table) throws SQLException {
        if (!policies.delete(checkName(table))) {
            throw new NotFoundException("'" + table + "' has no policy: its history is kept by the defaults");
        }
        return Response.noContent().build();
    }

    /** What retention and erasure removed from this table, newest first. */
    @GET
    @Path("/history/policies/{table}/audit")
    public List<Maintenance.AuditEntry> audit(@PathParam("table") String table) throws SQLException {
        return maintenance.audit(checkName(table), 50);
    }

    /** Runs retention now instead of waiting for the schedule. */
    @POST
    @Path("/history/retention/run")
    public Map<String, String> runRetention() {
        retention.run();
        return Map.of("status", "done");
    }

    /** Erases every version of one row: {@code DELETE /api/history/rows?table=public.customers&pk.id=42}. */
    @DELETE
    @Path("/history/rows")
    @QueryPrefixes("pk.")
    public Map<String, Object> erase(@QueryParam("table") String table, @QueryParam("reason") String reason, @Context UriInfo uri)
            throws SQLException {
        if (table == null || queries.table(table).isEmpty()) {
            throw new ValidationException("table", "'" + table + "' has no history (see GET /api/tables)");
        }
        Map<String, String> pk = Params.prefixed(uri.getQueryParameters(), "pk.");
        if (pk.isEmpty()) {
            throw new ValidationException("pk", "name the row with pk.<column>=<value>");
        }
        KeyColumns.check(queries, table, pk.keySet(), "pk.");
        Version latest = queries.latest(table, pk).orElseThrow(() -> new NotFoundException("no history for row " + pk + " of " + table));
        String rowKey = io.datamanager.model.RowKey.canonical(latest.pk());
        long deleted = maintenance.erase(table, rowKey, reason == null ? "api" : reason);
        return Map.of("table", table, "pk", latest.pk(), "erasedVersions", deleted);
    }

    /** The table as the source database (or history) knows it; a policy for a table that exists nowhere is refused. */
    private TableSchema existing(String table) throws SQLException {
        try {
            return tables.lookup(table);
        } catch (NotFoundException e) {
            throw new ValidationException("table", e.getMessage());
        }
    }

    private static String checkName(String table) {
        if (table == null || !table.matches("[^.\\s]+\\.[^\\s]+")) {
            throw new ValidationException("table", "must be schema.table, was '" + table + "'");
        }
        return table;
    }
}
