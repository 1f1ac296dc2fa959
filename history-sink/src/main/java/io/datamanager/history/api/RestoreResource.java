package io.datamanager.history.api;

import io.datamanager.history.restore.RestorePlan;
import io.datamanager.history.restore.RestoreRequest;
import io.datamanager.history.restore.RestoreService;
import io.datamanager.history.store.HistoryQueries;
import io.datamanager.model.Json;
import io.datamanager.model.ValidationException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Puts a row, a deleted row or a whole transaction back; dry run unless {@code "dryRun": false}. */
@Path("/api/restore")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RestoreResource {
    private final RestoreService restores;
    private final HistoryQueries queries;

    RestoreResource(RestoreService restores, HistoryQueries queries) {
        this.restores = restores;
        this.queries = queries;
    }

    @POST
    public RestorePlan restore(byte[] body) throws SQLException {
        // read by the project's strict codec so errors name the field (pk, at, dryRun, ...)
        RestoreRequest request = Json.readRequest(body, RestoreRequest.class);
        if (request.table() != null) {
            if (queries.table(request.table()).isEmpty()) {
                throw new ValidationException("table", "'" + request.table() + "' has no history (see GET /api/tables)");
            }
            if (request.pk() != null) {
                List<String> columns = new ArrayList<>();
                request.pk().fieldNames().forEachRemaining(columns::add);
                KeyColumns.check(queries, request.table(), columns, "pk.");
            }
        }
        return restores.restore(request);
    }
}
