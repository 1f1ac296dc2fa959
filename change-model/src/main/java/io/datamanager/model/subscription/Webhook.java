package io.datamanager.model.subscription;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.ValidationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.Map;

/**
 * Delivery by HTTP POST, signed as Standard Webhooks describe when a secret is given. Only the syntax of
 * the URL is checked here; whether the host resolves is the gateway's concern. Validation errors name the
 * field relative to the webhook ({@code url}); read through {@code Subscription.fromJson} they carry the
 * full path ({@code delivery.webhook.url}).
 *
 * @param url absolute {@code http} or {@code https} URL with a host
 * @param secret {@code whsec_} followed by the base64 of the signing key, or null for unsigned delivery
 */
@JsonPropertyOrder({"url", "secret"})
public record Webhook(String url, String secret) {
    public static final String SECRET_PREFIX = "whsec_";

    public Webhook {
        checkUrl(url);
        if (secret != null) {
            checkSecret(secret);
        }
    }

    @JsonCreator
    static Webhook fromProperties(@JsonProperty("url") String url, @JsonProperty("secret") String secret,
            @JsonAnySetter Map<String, JsonNode> unknown) {
        WireNames.rejectUnknown(unknown, "url, secret");
        return new Webhook(url, secret);
    }

    /** The signing key the secret encodes, or null when delivery is unsigned. */
    public byte[] secretKey() {
        return secret == null ? null : Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
    }

    /** Keeps the secret out of logs. */
    @Override
    public String toString() {
        return "Webhook[url=" + url + ", secret=" + (secret == null ? "none" : SECRET_PREFIX + "***") + "]";
    }

    private static void checkUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new ValidationException("url", "is required: the http or https address to POST changes to");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ValidationException("url", "is not a valid URL (" + e.getReason() + "), was '" + url + "'", e);
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new ValidationException("url", "must be an absolute http or https URL, was '" + url + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new ValidationException("url", "must name a host, like https://example.org/hook, was '" + url + "'");
        }
    }

    private static void checkSecret(String secret) {
        String message = "must be 'whsec_' followed by a base64 key, like whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        if (!secret.startsWith(SECRET_PREFIX) || secret.length() == SECRET_PREFIX.length()) {
            throw new ValidationException("secret", message);
        }
        try {
            Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new ValidationException("secret", message, e);
        }
    }
}
