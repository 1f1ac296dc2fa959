package io.datamanager.history.api;

import io.datamanager.history.store.HistoryQueries;
import io.datamanager.history.tables.TableDirectory;
import io.datamanager.model.TableSchema;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** The tables: those history holds, and any one table by name, also before its first change. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class TableResource {
    private final HistoryQueries queries;
    private final TableDirectory directory;
    private final io.datamanager.history.store.Maintenance maintenance;

    TableResource(HistoryQueries queries, TableDirectory directory, io.datamanager.history.store.Maintenance maintenance) {
        this.queries = queries;
        this.directory = directory;
        this.maintenance = maintenance;
    }

    @GET
    @Path("/tables")
    @Operation(summary = "The tables history holds, with version counts, last change time and recorded column types")
    public List<HistoryQueries.Table> tables() throws SQLException {
        return directory.tables();
    }

    /** Removes a table's whole history, audited like an erasure: {@code DELETE /api/history/tables/public.old_orders}. */
    @jakarta.ws.rs.DELETE
    @Path("/history/tables/{table}")
    @Operation(summary = "Removes every version of a table (one dropped at the source, say), logging count and reason")
    public java.util.Map<String, Object> remove(@PathParam("table") String table, @jakarta.ws.rs.QueryParam("reason") String reason)
            throws SQLException {
        if (queries.table(table).isEmpty()) {
            throw new jakarta.ws.rs.NotFoundException("'" + table + "' has no history (see GET /api/tables)");
        }
        long removed = maintenance.removeTable(table, reason == null ? "api" : io.datamanager.model.Input.text("reason", reason));
        return java.util.Map.of("table", table, "removedVersions", removed);
    }

    @GET
    @Path("/tables/{table}")
    @Operation(summary = "One table's columns (in table order, with types and key) and whether capture publishes it, "
            + "from the source database's catalog, or from history when there is no source connection")
    @APIResponse(responseCode = "200", description = "the table; columnsFrom says where its columns were read")
    @APIResponse(responseCode = "404", description = "neither the source database nor history knows the table: problem+json saying why")
    @APIResponse(responseCode = "503", description = "the table has no history and the source database could not be read")
    public TableSchema table(@PathParam("table") String table) throws SQLException {
        return directory.lookup(table);
    }
}
