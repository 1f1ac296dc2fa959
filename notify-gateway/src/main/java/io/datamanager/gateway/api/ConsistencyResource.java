package io.datamanager.gateway.api;

import io.datamanager.web.Problem;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.gateway.consistency.ConsistencyTracker;
import io.datamanager.gateway.subscriptions.RuleLog;
import io.datamanager.model.Input;
import io.datamanager.model.Json;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import io.datamanager.model.Lsn;
import io.datamanager.model.ValidationException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The read-your-writes barrier: a client that wrote to PostgreSQL reads {@code pg_current_wal_lsn()} in the same
 * session after its commit and waits here; the answer comes once every change of the subscription committed at
 * or before that LSN is delivered (the cache updated, the webhook answered), or when none was.
 */
@Path("/api/consistency")
@Produces(MediaType.APPLICATION_JSON)
public class ConsistencyResource {
    static final int DEFAULT_TIMEOUT_MS = 10_000;
    static final int MAX_TIMEOUT_MS = 300_000;

    private final ConsistencyTracker tracker;
    private final RuleLog rules;

    ConsistencyResource(ConsistencyTracker tracker, RuleLog rules) {
        this.tracker = tracker;
        this.rules = rules;
    }

    public record Delivered(String subscription, String lsn, String deliveredThroughLsn, long waitedMs) {}

    @GET
    @Operation(summary = "Wait until every change of a subscription committed at or before an LSN is delivered")
    @APIResponse(responseCode = "200", description = "delivered: deliveredThroughLsn is at or past lsn")
    @APIResponse(responseCode = "408", description = "not delivered within timeoutMs: problem+json with deliveredThroughLsn")
    @APIResponse(responseCode = "400", description = "a parameter is missing or malformed: problem+json naming it")
    @APIResponse(responseCode = "404", description = "no such subscription")
    public CompletionStage<Response> await(@QueryParam("subscription") @Parameter(required = true,
            schema = @Schema(pattern = SubscriptionResource.ID_PATTERN)) String subscription,
            @QueryParam("lsn") @Parameter(required = true, schema = @Schema(pattern = "[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}")) String lsn,
            @QueryParam("timeoutMs") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "0", maximum = "300000"))
            String timeoutMs) {
        if (subscription == null) {
            throw new ValidationException("subscription", "is required: the id of the subscription whose delivery to wait for");
        }
        if (!io.datamanager.model.subscription.Subscription.ID.matcher(subscription).matches()) {
            throw new ValidationException("subscription", "is not a subscription id (lower-case letters, digits, '.', '_', '-')");
        }
        Lsn target = Lsn.parse(lsn, "lsn");
        int timeout = timeoutMs == null ? DEFAULT_TIMEOUT_MS : (int) Input.number("timeoutMs", timeoutMs, 0, MAX_TIMEOUT_MS);
        rules.get(subscription).orElseThrow(() -> new NotFoundException("no subscription '" + subscription + "'"));
        long started = System.nanoTime();
        return tracker.await(subscription, target).orTimeout(timeout, TimeUnit.MILLISECONDS).handle((delivered, failure) -> {
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (failure == null) {
                return Response.ok(new Delivered(subscription, target.toString(), delivered.toString(), waited)).build();
            }
            if (failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException) {
                return timedOut(subscription, target, timeout, waited);
            }
            return Problem.response(500, "Barrier failed", failure.toString(), null);
        });
    }

    private Response timedOut(String subscription, Lsn target, int timeout, long waited) {
        String delivered = tracker.delivered(subscription).map(Lsn::toString).orElse(null);
        String captured = tracker.captured().map(Lsn::toString).orElse(null);
        ObjectNode problem = Json.mapper().createObjectNode()
                .put("type", "about:blank")
                .put("title", "Not delivered in time")
                .put("status", 408)
                .put("detail", "the changes of '" + subscription + "' committed at or before " + target + " were not all delivered within "
                        + timeout + " ms; delivered through " + (delivered == null ? "no proven position yet" : delivered)
                        + (captured == null ? "; capture has reported no position (is it running?)" : "; capture is at " + captured))
                .put("subscription", subscription)
                .put("lsn", target.toString())
                .put("deliveredThroughLsn", delivered)
                .put("capturedThroughLsn", captured)
                .put("waitedMs", waited);
        return Response.status(408).type("application/problem+json").entity(problem).build();
    }
}
