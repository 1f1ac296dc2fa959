package io.datamanager.history.api;

import io.datamanager.web.Problem;
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

    /** 405, 406, 415 and every other status the framework raises, with its reason; the Allow header of a 405 kept. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Response framework = e.getResponse();
        Response.ResponseBuilder problem = Response.fromResponse(Problem.response(framework.getStatus(),
                framework.getStatusInfo().getReasonPhrase(), e.getMessage(), null, null));
        if (framework.getHeaderString("Allow") != null) {
            problem.header("Allow", framework.getHeaderString("Allow"));
        }
        return problem.build();
    }

    /**
     * A data exception (SQLSTATE class 22: a value the column type refuses, text with NUL, an invalid byte sequence)
     * or a syntax error (class 42) comes from input that slipped past the checks before the SQL: the request is
     * wrong, not the database; anything else is the database failing.
     */
    @ServerExceptionMapper
    public Response database(java.sql.SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("22") || state.startsWith("42")) {
            LOG.warn("the database refused a value of a request", e);
            return Problem.response(400, "Invalid request", "the database refused a value of the request: " + firstLine(e.getMessage()),
                    null, null);
        }
        LOG.error("database error", e);
        return Problem.response(503, "History database unavailable", "the history database failed: try again shortly", null, null);
    }

    /** Nothing leaves as a bare 500: an error no other mapper knows is logged and answered as a problem. */
    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e) {
        LOG.error("request failed", e);
        return Problem.response(500, "Internal error", "the request failed on the server; it is logged", null, null);
    }

    private static String firstLine(String message) {
        int nl = message == null ? -1 : message.indexOf('\n');
        return nl < 0 ? String.valueOf(message) : message.substring(0, nl);
    }
}
