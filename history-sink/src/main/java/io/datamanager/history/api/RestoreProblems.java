package io.datamanager.history.api;

import io.datamanager.web.Problem;
import io.datamanager.history.restore.RestoreRefused;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** A refused restore as problem+json: its status and title, and what the caller needs to act under {@code restore}. */
public class RestoreProblems {
    private static final Logger LOG = Logger.getLogger(RestoreProblems.class);

    @ServerExceptionMapper
    public Response refused(RestoreRefused e) {
        if (e.status >= 500) {
            LOG.warn("restore refused: " + e.getMessage(), e);
        } else {
            LOG.infof("restore refused (%d): %s", e.status, e.getMessage());
        }
        return Problem.response(e.status, e.title, e.getMessage(), null, e.details);
    }
}
