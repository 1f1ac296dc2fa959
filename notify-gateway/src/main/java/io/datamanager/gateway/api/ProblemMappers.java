package io.datamanager.gateway.api;

import io.datamanager.model.ValidationException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Errors leave as problem+json: bad input 400 naming the field, unknown subscriptions 404. */
public class ProblemMappers {
    @ServerExceptionMapper
    public Response invalid(ValidationException e) {
        return Problem.response(400, "Invalid request", e.getMessage(), e.field());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return Problem.response(404, "Not found", e.getMessage(), null);
    }
}
