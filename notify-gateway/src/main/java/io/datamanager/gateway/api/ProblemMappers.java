package io.datamanager.gateway.api;

import io.datamanager.gateway.subscriptions.HistoryClient;
import io.datamanager.model.ValidationException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Errors leave as problem+json: bad input 400 naming the field, unknown subscriptions 404, history-sink unreachable 503. */
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
}
