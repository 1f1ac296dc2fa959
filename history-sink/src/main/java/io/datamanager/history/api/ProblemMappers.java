package io.datamanager.history.api;

import io.datamanager.history.restore.RestoreService;
import io.datamanager.history.tables.TableDirectory;
import io.datamanager.model.ValidationException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as problem+json: bad input 400 naming the field, unknown things 404, conflicts 409. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response invalid(ValidationException e) {
        return Problem.response(400, "Invalid request", e.getMessage(), e.field(), null);
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return Problem.response(404, "Not found", e.getMessage(), null, null);
    }

    @ServerExceptionMapper
    public Response conflict(RestoreService.ConflictException e) {
        return Problem.response(409, "Restore conflicts", e.getMessage(), null, e.plan);
    }

    @ServerExceptionMapper
    public Response sourceUnavailable(TableDirectory.SourceUnavailableException e) {
        LOG.warn("source database unavailable", e);
        return Problem.response(503, "Source database unavailable", e.getMessage(), null, null);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        return Problem.response(e.getResponse().getStatus(), e.getResponse().getStatusInfo().getReasonPhrase(), e.getMessage(), null, null);
    }

    @ServerExceptionMapper
    public Response unexpected(java.sql.SQLException e) {
        LOG.error("database error", e);
        return Problem.response(503, "History database unavailable", "the history database failed: try again shortly", null, null);
    }
}
