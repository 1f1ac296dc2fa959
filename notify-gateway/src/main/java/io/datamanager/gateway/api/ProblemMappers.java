package io.datamanager.gateway.api;

import io.datamanager.web.Problem;
import io.datamanager.gateway.subscriptions.HistoryClient;
import io.datamanager.model.ValidationException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Errors leave as problem+json: bad input 400 naming the field, unknown subscriptions 404, history-sink unreachable
 * 503, the framework's own statuses (405, 406, 415) with their reason, and anything unforeseen 500.
 */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response invalid(ValidationException e) {
        return Problem.response(400, "Invalid request", e.getMessage(), e.field());
    }

    @ServerExceptionMapper
    public Response historyUnavailable(HistoryClient.UnavailableException e) {
        LOG.warn("history-sink unavailable", e);
        return Problem.response(503, "History unavailable", e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return Problem.response(404, "Not found", e.getMessage(), null);
    }

    /** 405, 406, 415 and every other status the framework raises, with its reason; the Allow header of a 405 kept. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Response framework = e.getResponse();
        Response.ResponseBuilder problem = Response.fromResponse(Problem.response(framework.getStatus(),
                framework.getStatusInfo().getReasonPhrase(), e.getMessage(), null));
        if (framework.getHeaderString("Allow") != null) {
            problem.header("Allow", framework.getHeaderString("Allow"));
        }
        return problem.build();
    }

    /** Nothing leaves as a bare 500: an error no other mapper knows is logged and answered as a problem. */
    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("request failed", e);
        return Problem.response(500, "Internal error", "the request failed on the server; it is logged", null);
    }
}
