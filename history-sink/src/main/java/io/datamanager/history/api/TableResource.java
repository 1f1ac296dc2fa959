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

    TableResource(HistoryQueries queries, TableDirectory directory) {
        this.queries = queries;
        this.directory = directory;
    }

    @GET
    @Path("/tables")
    @Operation(summary = "The tables history holds, with version counts, last change time and recorded column types")
    public List<HistoryQueries.Table> tables() throws SQLException {
        return queries.tables();
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
