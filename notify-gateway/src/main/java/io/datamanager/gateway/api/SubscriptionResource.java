package io.datamanager.gateway.api;

import io.datamanager.web.Problem;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.gateway.config.GatewayConfig;
import io.datamanager.gateway.delivery.DeadLetterStore;
import io.datamanager.gateway.delivery.RedisConnections;
import io.datamanager.gateway.delivery.RedisDispatcher;
import io.datamanager.gateway.delivery.UrlGuard;
import io.datamanager.gateway.delivery.WebhookSender;
import io.datamanager.gateway.delivery.WebhookDispatcher;
import io.datamanager.gateway.delivery.WebhookSigner;
import io.datamanager.gateway.subscriptions.HistoryClient;
import io.datamanager.gateway.subscriptions.RuleLog;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.subscription.SubscriptionMatcher;
import io.datamanager.model.Json;
import io.datamanager.model.TableSchema;
import io.datamanager.model.ValidationException;
import io.datamanager.model.subscription.Subscription;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import io.datamanager.model.Input;
import java.net.InetAddress;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * Subscriptions registered at runtime: create or replace, list, read, delete. Every write goes to the
 * compacted {@code dm.rules} topic (after {@code dm.sub.<id>} exists); reads come from the view of it.
 * A webhook secret is generated when none is given and shown once, in the answer to the write.
 */
@Path("/api/subscriptions")
@Produces(MediaType.APPLICATION_JSON)
public class SubscriptionResource {
    /** A subscription id, as the contract has it ({@link Subscription#ID}). */
    static final String ID_PATTERN = "[a-z0-9][a-z0-9._-]{0,62}";

    private final RuleLog rules;
    private final UrlGuard guard;
    private final WebhookDispatcher dispatcher;
    private final DeadLetterStore deadLetters;
    private final HistoryClient history;
    private final RedisDispatcher redis;
    private final RedisConnections redisConnections;

    SubscriptionResource(RuleLog rules, GatewayConfig config, WebhookDispatcher dispatcher, DeadLetterStore deadLetters,
            HistoryClient history, RedisDispatcher redis, RedisConnections redisConnections) {
        this.history = history;
        this.redis = redis;
        this.redisConnections = redisConnections;
        this.rules = rules;
        this.dispatcher = dispatcher;
        this.deadLetters = deadLetters;
        this.guard = new UrlGuard(InetAddress::getAllByName,
                new UrlGuard.Allow(config.allowLoopbackWebhooks(), config.allowPrivateWebhooks()));
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SubscriptionBody.class)))
    public Response put(@PathParam("id") @Parameter(schema = @Schema(pattern = ID_PATTERN)) String id, byte[] body) throws Exception {
        checkId(id);
        ObjectNode json = object(body);
        if (json.has("id") && !json.get("id").equals(Json.mapper().getNodeFactory().textNode(id))) {
            throw new ValidationException("id", json.get("id") + " differs from the path's '" + id + "'");
        }
        json.put("id", id);
        boolean existed = rules.get(id).isPresent();
        return write(json, existed ? Response.Status.OK : Response.Status.CREATED);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SubscriptionBody.class)))
    public Response post(byte[] body) throws Exception {
        ObjectNode json = object(body);
        if (json.has("id") && !json.get("id").isTextual()) {
            throw new ValidationException("id", "must be a string");
        }
        if (!json.hasNonNull("id")) {
            json.put("id", "sub-" + UUID.randomUUID().toString().substring(0, 8));
        } else if (rules.get(json.get("id").asText()).isPresent()) {
            throw new ValidationException("id", "'" + json.get("id").asText() + "' exists already; PUT /api/subscriptions/{id} replaces it");
        }
        return write(json, Response.Status.CREATED);
    }

    @GET
    public List<JsonNode> list() {
        return rules.all().stream().sorted(Comparator.comparing(Subscription::id)).<JsonNode>map(SubscriptionResource::view).toList();
    }

    /**
     * One subscription with its delivery status (delivered-through LSN and commit time, lag, pending, failures):
     * of the webhook at the top level, of Redis under {@code status.redis}.
     */
    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") @Parameter(schema = @Schema(pattern = ID_PATTERN)) String id) {
        checkId(id);
        var rejected = rules.rejected(id);
        if (rejected.isPresent()) {
            return Problem.response(422, "Invalid rule", "the rule produced to " + rules.topics().rules() + " for '" + id + "' (offset "
                    + rejected.get().offset() + ") is not a valid subscription, so it matches nothing: " + rejected.get().reason()
                    + "; the streams-app dead-lettered it to " + rules.topics().dlq() + " with this reason in its dm.error header."
                    + " Produce a valid rule or a tombstone", null);
        }
        Subscription subscription = rules.get(id).orElseThrow(() -> new NotFoundException("no subscription '" + id + "'"));
        ObjectNode json = view(subscription);
        ObjectNode status = Json.mapper().valueToTree(dispatcher.status(id));
        if (subscription.delivery().redis() != null) {
            status.set("redis", Json.mapper().valueToTree(redis.status(id)));
        }
        json.set("status", status);
        return Response.ok(json).build();
    }

    /** The changes given up on after the last attempt, still waiting for a redelivery. */
    @GET
    @Path("/{id}/dead-letters")
    public List<DeadLetterStore.Letter> deadLetters(@PathParam("id") @Parameter(schema = @Schema(pattern = ID_PATTERN)) String id) {
        checkId(id);
        rules.get(id).orElseThrow(() -> new NotFoundException("no subscription '" + id + "'"));
        return deadLetters.list(id);
    }

    /** One attempt now: 200 when the receiver took it (the letter leaves the list), 502 with the error otherwise. */
    @POST
    @Path("/{id}/dead-letters/{letter}/redeliver")
    public Response redeliver(@PathParam("id") @Parameter(schema = @Schema(pattern = ID_PATTERN)) String id,
            @PathParam("letter") String letter) throws Exception {
        checkId(id);
        rules.get(id).orElseThrow(() -> new NotFoundException("no subscription '" + id + "'"));
        DeadLetterStore.Letter found = deadLetters.find(id, letter)
                .orElseThrow(() -> new NotFoundException("no dead letter '" + letter + "' of subscription '" + id + "'"));
        return switch (dispatcher.redeliver(id, found)) {
            case WebhookSender.Outcome.Delivered d -> Response.ok(java.util.Map.of("letter", letter, "status", d.status())).build();
            case WebhookSender.Outcome.RetryLater r -> Problem.response(502, "Redelivery failed", r.error(), null);
            case WebhookSender.Outcome.DeadLetter r -> Problem.response(502, "Redelivery failed", r.error(), null);
            case WebhookSender.Outcome.Gone g -> Problem.response(502, "Redelivery failed", g.error(), null);
        };
    }

    public record Rotation(String secret, java.time.Instant previousSecretValidUntil) {}

    /**
     * A new webhook secret, shown once; the old one keeps signing (both signatures are sent) for
     * {@code graceMinutes} (default 60), so receivers can switch without missing a delivery.
     */
    @POST
    @Path("/{id}/secret/rotate")
    public Rotation rotate(@PathParam("id") @Parameter(schema = @Schema(pattern = ID_PATTERN)) String id,
            @jakarta.ws.rs.QueryParam("graceMinutes") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "0",
                    maximum = "10080")) String graceMinutes) throws Exception {
        checkId(id);
        int grace = graceMinutes == null ? 60 : (int) Input.number("graceMinutes", graceMinutes, 0, 7 * 24 * 60);
        Subscription current = rules.get(id).orElseThrow(() -> new NotFoundException("no subscription '" + id + "'"));
        if (current.delivery() == null || current.delivery().webhook() == null) {
            throw new ValidationException("delivery.webhook", "the subscription has no webhook whose secret could be rotated");
        }
        var old = current.delivery().webhook();
        String secret = WebhookSigner.newSecret();
        java.time.Instant until = java.time.Instant.now().plus(java.time.Duration.ofMinutes(grace));
        ObjectNode json = (ObjectNode) Json.tree(current.toJson(), "subscription");
        ObjectNode webhook = json.with("delivery").with("webhook");
        webhook.put("secret", secret);
        if (old.secret() != null) {
            webhook.put("previousSecret", old.secret());
            webhook.put("previousSecretUntil", until.toString());
        }
        rules.put(Json.read(Json.toBytes(json), Subscription.class));
        return new Rotation(secret, old.secret() == null ? null : until);
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") @Parameter(schema = @Schema(pattern = ID_PATTERN)) String id) throws Exception {
        checkId(id);
        rules.get(id).orElseThrow(() -> new NotFoundException("no subscription '" + id + "'"));
        rules.delete(id);
        return Response.noContent().build();
    }

    private Response write(ObjectNode json, Response.Status status) throws Exception {
        String secret = null;
        JsonNode webhook = json.path("delivery").path("webhook");
        if (webhook.isObject()) {
            ((ObjectNode) webhook).put("url", webhook.path("url").asText(null));
            guard.check(webhook.path("url").asText(null), "delivery.webhook.url");
            if (!webhook.hasNonNull("secret")) {
                io.datamanager.model.subscription.Webhook old = rules.get(json.get("id").asText())
                        .flatMap(s -> java.util.Optional.ofNullable(s.delivery())).map(d -> d.webhook()).orElse(null);
                String kept = old == null ? null : old.secret();
                secret = kept != null ? null : WebhookSigner.newSecret();
                ((ObjectNode) webhook).put("secret", kept != null ? kept : secret);
                if (kept != null && old.previousSecret() != null && !webhook.has("previousSecret")
                        && old.previousSecretUntil() != null && old.previousSecretUntil().isAfter(java.time.Instant.now())) {
                    // an edit during a rotation's grace period keeps the old secret signing until it ends
                    ((ObjectNode) webhook).put("previousSecret", old.previousSecret());
                    ((ObjectNode) webhook).put("previousSecretUntil", old.previousSecretUntil().toString());
                }
            } else {
                secret = webhook.get("secret").asText();
            }
        }
        Subscription subscription = Json.read(Json.toBytes(json), Subscription.class);
        if (subscription.delivery().redis() != null) {
            redisConnections.check(subscription.delivery().redis().connection(), "delivery.redis.connection");
        }
        checkTable(subscription);
        rules.put(subscription);
        ObjectNode answer = view(subscription);
        if (secret != null) {
            answer.with("delivery").with("webhook").put("secret", secret); // shown once
        }
        return Response.status(status).entity(answer).build();
    }

    /**
     * Unknown tables and columns are refused: the table must exist in the source database (or, without a
     * connection to it, have had a change), be in capture's publication, and have every column the subscription
     * names. Subscribing before the table's first change is the natural order, so the catalog decides, not history.
     */
    private void checkTable(Subscription subscription) {
        var lookup = history.table(subscription.table());
        if (lookup.isEmpty()) {
            return; // no history-sink configured: nothing to check against
        }
        TableSchema table = switch (lookup.get()) {
            case HistoryClient.TableLookup.Unknown unknown -> throw new ValidationException("table", unknown.reason());
            case HistoryClient.TableLookup.Known known -> known.schema();
        };
        table.whyNotCaptured().ifPresent(reason -> {
            throw new ValidationException("table", reason);
        });
        List<String> columns = table.columnNames();
        if (columns.isEmpty()) {
            return; // seen in history without recorded types: columns not known
        }
        for (int i = 0; i < subscription.columns().size(); i++) {
            checkColumn(subscription.columns().get(i), "columns[" + i + "]", subscription.table(), columns);
        }
        for (int i = 0; i < subscription.filters().size(); i++) {
            if (subscription.filters().get(i).contextKey() == null) { // context.<key> compares the application context
                checkColumn(subscription.filters().get(i).column(), "filters[" + i + "].column", subscription.table(), columns);
            }
        }
        if (subscription.delivery().redis() != null) {
            var templates = subscription.delivery().redis().templates();
            for (int i = 0; i < templates.size(); i++) {
                for (String column : templates.get(i).columns()) {
                    checkColumn(column, "delivery.redis.keys[" + i + "]", subscription.table(), columns);
                }
            }
        }
    }

    private static void checkColumn(String column, String field, String table, List<String> columns) {
        if (!columns.contains(column)) {
            throw new ValidationException(field, "'" + column + "' is not a column of " + table + " " + columns);
        }
    }

    public record Preview(int examined, List<ChangeEvent> matched) {}

    /** A subscription as a request body (contract: Subscription JSON), for the OpenAPI document. */
    public record SubscriptionBody(@Schema(pattern = ID_PATTERN) String id, @Schema(pattern = "[^.\\s]+\\.\\S+") String table,
            List<String> ops, List<String> columns, List<JsonNode> filters, String payload, JsonNode delivery) {}

    /**
     * Which of the table's recent changes (newest first, from history) the subscription would have matched;
     * a body tries a subscription before saving it, none uses the saved one.
     */
    @POST
    @Path("/{id}/preview")
    @Consumes(MediaType.WILDCARD) // without a body any type will do; a body must be JSON, which HttpGuard checks
    @RequestBody(required = false, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = SubscriptionBody.class)))
    public Preview preview(@PathParam("id") @Parameter(schema = @Schema(pattern = ID_PATTERN)) String id, byte[] body,
            @jakarta.ws.rs.QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000"))
            String limit) throws Exception {
        checkId(id);
        int n = limit == null ? 100 : (int) Input.number("limit", limit, 1, 1000);
        Subscription subscription;
        if (body == null || body.length == 0) {
            subscription = rules.get(id).orElseThrow(() -> new NotFoundException("no subscription '" + id + "'"));
        } else {
            ObjectNode json = object(body);
            if (json.has("id") && !json.get("id").equals(Json.mapper().getNodeFactory().textNode(id))) {
                throw new ValidationException("id", "differs from the path's '" + id + "'");
            }
            json.put("id", id);
            subscription = Json.read(Json.toBytes(json), Subscription.class);
            checkTable(subscription);
        }
        List<ChangeEvent> recent = history.recent(subscription.table(), n);
        SubscriptionMatcher matcher = new SubscriptionMatcher(subscription);
        return new Preview(recent.size(), recent.stream().filter(matcher::matches).map(matcher::shape).toList());
    }

    /** A subscription as the API shows it: the webhook secret never leaves again after its creation. */
    static ObjectNode view(Subscription subscription) {
        ObjectNode json = (ObjectNode) Json.tree(subscription.toJson(), "subscription");
        JsonNode webhook = json.path("delivery").path("webhook");
        if (webhook.isObject() && webhook.has("secret")) {
            ((ObjectNode) webhook).remove("secret");
            ((ObjectNode) webhook).put("secretSet", true);
        }
        if (webhook.isObject() && webhook.has("previousSecret")) {
            ((ObjectNode) webhook).remove("previousSecret"); // previousSecretUntil stays: the rotation is visible
        }
        return json;
    }

    private static ObjectNode object(byte[] body) {
        JsonNode json = Json.requestTree(body);
        if (!json.isObject()) {
            throw new ValidationException("body", "a JSON object is required (a subscription), was " + json.getNodeType().toString()
                    .toLowerCase(java.util.Locale.ROOT));
        }
        return (ObjectNode) json;
    }

    /** Every route names the subscription by an id of the contract's form, so a malformed one is a 400, not a 404 or worse. */
    static String checkId(String id) {
        if (id == null || !Subscription.ID.matcher(id).matches()) {
            throw new ValidationException("id", "must be 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or "
                    + "digit, was '" + (id == null ? "" : id.length() > 80 ? id.substring(0, 80) + "…" : id) + "'");
        }
        return id;
    }
}
