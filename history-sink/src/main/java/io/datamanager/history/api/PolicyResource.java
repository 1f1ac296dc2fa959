package io.datamanager.history.api;

import io.datamanager.history.store.HistoryQueries;
import io.datamanager.history.store.Maintenance;
import io.datamanager.history.store.Policy;
import io.datamanager.history.store.PolicyStore;
import io.datamanager.history.store.RetentionJob;
import io.datamanager.history.store.Version;
import io.datamanager.model.Json;
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
import jakarta.ws.rs.core.UriInfo;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * (All under the class path {@code /api}, as HistoryResource: JAX-RS matches the longest class path first, so a
 * class on {@code /api/history} would hide {@code GET /api/history}.)
 *
 * Per-table policies (tracking, retention, redaction), their audit log, and erasing a row's history. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {
    private final PolicyStore policies;
    private final Maintenance maintenance;
    private final HistoryQueries queries;
    private final RetentionJob retention;

    PolicyResource(PolicyStore policies, Maintenance maintenance, HistoryQueries queries, RetentionJob retention) {
        this.policies = policies;
        this.maintenance = maintenance;
        this.queries = queries;
        this.retention = retention;
    }

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
        PolicyBody b = Json.read(body, PolicyBody.class);
        return policies.save(new Policy(checkName(table), b.tracking() == null || b.tracking(), b.retentionDays(),
                b.minVersions() == null ? 1 : b.minVersions(), b.redactedColumns()));
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
    public Map<String, Object> erase(@QueryParam("table") String table, @QueryParam("reason") String reason, @Context UriInfo uri)
            throws SQLException {
        if (table == null || queries.table(table).isEmpty()) {
            throw new ValidationException("table", "'" + table + "' has no history (see GET /api/tables)");
        }
        Map<String, String> pk = Params.prefixed(uri.getQueryParameters(), "pk.");
        if (pk.isEmpty()) {
            throw new ValidationException("pk", "name the row with pk.<column>=<value>");
        }
        Version latest = queries.latest(table, pk).orElseThrow(() -> new NotFoundException("no history for row " + pk + " of " + table));
        String rowKey = io.datamanager.model.RowKey.canonical(latest.pk());
        long deleted = maintenance.erase(table, rowKey, reason == null ? "api" : reason);
        return Map.of("table", table, "pk", latest.pk(), "erasedVersions", deleted);
    }

    private static String checkName(String table) {
        if (table == null || !table.matches("[^.\\s]+\\.[^\\s]+")) {
            throw new ValidationException("table", "must be schema.table, was '" + table + "'");
        }
        return table;
    }
}
