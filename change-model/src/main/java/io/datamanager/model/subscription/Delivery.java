package io.datamanager.model.subscription;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Where a subscription's changes go besides its own topic and SSE stream, which every subscription has.
 *
 * @param webhook signed HTTP delivery, or null
 * @param redis cache maintenance, or null
 */
public record Delivery(Webhook webhook, Redis redis) {
    /** Topic and SSE stream only. */
    public static final Delivery NONE = new Delivery(null, null);

    @JsonCreator
    static Delivery fromProperties(@JsonProperty("webhook") Webhook webhook, @JsonProperty("redis") Redis redis,
            @JsonAnySetter Map<String, JsonNode> unknown) {
        WireNames.rejectUnknown(unknown, "webhook, redis");
        return new Delivery(webhook, redis);
    }
}
