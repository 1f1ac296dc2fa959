package io.datamanager.model.subscription;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.ValidationException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Keeps a Redis cache consistent with a table: for each change, the key templates are filled with the row's
 * column values ({@code order:{id}}) and the keys deleted or set. Validation errors name the field relative
 * to this object ({@code keys[0]}); read through {@code Subscription.fromJson} they carry the full path
 * ({@code delivery.redis.keys[0]}).
 *
 * @param keys one or more key templates; {@code {column}} is replaced by that column's value
 * @param action what to do with the keys; {@code delete} when absent
 * @param connection the name of a Redis connection configured on the gateway; the default one when absent.
 *     Addresses and credentials live in the gateway's configuration, never in a subscription.
 */
@JsonPropertyOrder({"keys", "action", "connection"})
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record Redis(List<String> keys, RedisAction action, String connection) {
    private static final Pattern CONNECTION = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    public Redis {
        if (keys == null || keys.isEmpty()) {
            throw new ValidationException("keys", "must list at least one key template, like order:{id}");
        }
        for (int i = 0; i < keys.size(); i++) {
            checkTemplate(keys.get(i), "keys[" + i + "]");
        }
        keys = List.copyOf(keys);
        action = action == null ? RedisAction.DELETE : action;
        if (connection != null && !CONNECTION.matcher(connection).matches()) {
            throw new ValidationException("connection", "must name a Redis connection of the gateway (lower-case letters, "
                    + "digits, '_' or '-'), was '" + connection + "'");
        }
    }

    /** On the default connection. */
    public Redis(List<String> keys, RedisAction action) {
        this(keys, action, null);
    }

    @JsonCreator
    static Redis fromProperties(@JsonProperty("keys") List<String> keys, @JsonProperty("action") String action,
            @JsonProperty("connection") String connection, @JsonAnySetter Map<String, JsonNode> unknown) {
        WireNames.rejectUnknown(unknown, "keys, action, connection");
        return new Redis(keys, action == null ? null : RedisAction.fromWireName(action, "action"), connection);
    }

    /** The templates, parsed. */
    public List<KeyTemplate> templates() {
        return keys.stream().map(KeyTemplate::new).toList();
    }

    /** A template is text with {@code {column}} placeholders: braces balanced, not nested, names not blank. */
    private static void checkTemplate(String template, String field) {
        if (template == null || template.isBlank()) {
            throw new ValidationException(field, "must not be blank");
        }
        int open = -1;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '{') {
                if (open >= 0) {
                    throw badTemplate(field, template, "'{' at " + i + " opens a placeholder inside another");
                }
                open = i;
            } else if (c == '}') {
                if (open < 0) {
                    throw badTemplate(field, template, "'}' at " + i + " closes no placeholder");
                }
                if (template.substring(open + 1, i).isBlank()) {
                    throw badTemplate(field, template, "the placeholder at " + open + " names no column");
                }
                open = -1;
            }
        }
        if (open >= 0) {
            throw badTemplate(field, template, "the placeholder at " + open + " is not closed");
        }
    }

    private static ValidationException badTemplate(String field, String template, String problem) {
        return new ValidationException(field,
                "must be a key template like order:{id}, but in '" + template + "' " + problem);
    }
}
