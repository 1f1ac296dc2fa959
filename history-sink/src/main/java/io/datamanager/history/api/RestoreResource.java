package io.datamanager.history.api;

import io.datamanager.history.restore.RestorePlan;
import io.datamanager.history.restore.RestoreRequest;
import io.datamanager.history.restore.RestoreService;
import io.datamanager.model.Json;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;

/** Puts a row, a deleted row or a whole transaction back; dry run unless {@code "dryRun": false}. */
@Path("/api/restore")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RestoreResource {
    private final RestoreService restores;

    RestoreResource(RestoreService restores) {
        this.restores = restores;
    }

    @POST
    public RestorePlan restore(byte[] body) throws SQLException {
        // read by the project's codec so errors name the field (filters[0].op, at, ...)
        return restores.restore(Json.read(body, RestoreRequest.class));
    }
}
