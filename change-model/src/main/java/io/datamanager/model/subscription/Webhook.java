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
 * @param previousSecret during a rotation, the secret being replaced: deliveries are signed by both
 * @param previousSecretUntil when the previous secret stops signing
 */
@JsonPropertyOrder({"url", "secret", "previousSecret", "previousSecretUntil"})
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record Webhook(String url, String secret, String previousSecret, java.time.Instant previousSecretUntil) {
    public static final String SECRET_PREFIX = "whsec_";

    public Webhook {
        checkUrl(url);
        if (secret != null) {
            checkSecret(secret, "secret");
        }
        if (previousSecret != null) {
            checkSecret(previousSecret, "previousSecret");
            if (previousSecretUntil == null) {
                throw new ValidationException("previousSecretUntil", "is required with previousSecret: when it stops signing");
            }
        }
    }

    public Webhook(String url, String secret) {
        this(url, secret, null, null);
    }

    @JsonCreator
    static Webhook fromProperties(@JsonProperty("url") String url, @JsonProperty("secret") String secret,
            @JsonProperty("previousSecret") String previousSecret, @JsonProperty("previousSecretUntil") String previousSecretUntil,
            @JsonAnySetter Map<String, JsonNode> unknown) {
        WireNames.rejectUnknown(unknown, "url, secret, previousSecret, previousSecretUntil");
        java.time.Instant until;
        try {
            until = previousSecretUntil == null ? null : java.time.Instant.parse(previousSecretUntil);
        } catch (java.time.format.DateTimeParseException e) {
            throw new ValidationException("previousSecretUntil", "must be an ISO-8601 instant, was '" + previousSecretUntil + "'");
        }
        return new Webhook(url, secret, previousSecret, until);
    }

    /** The secrets that sign a delivery made at {@code now}: the current one, and the previous one during a rotation. */
    public java.util.List<String> signingSecrets(java.time.Instant now) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (secret != null) {
            out.add(secret);
        }
        if (previousSecret != null && previousSecretUntil.isAfter(now)) {
            out.add(previousSecret);
        }
        return out;
    }

    /** The signing key the secret encodes, or null when delivery is unsigned. */
    public byte[] secretKey() {
        return secret == null ? null : Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
    }

    /** Keeps the secret out of logs. */
    @Override
    public String toString() {
        return "Webhook[url=" + url + ", secret=" + (secret == null ? "none" : SECRET_PREFIX + "***")
                + (previousSecret == null ? "" : ", previousSecret=" + SECRET_PREFIX + "*** until " + previousSecretUntil) + "]";
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

    private static void checkSecret(String secret, String field) {
        String message = "must be 'whsec_' followed by a base64 key, like whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        if (!secret.startsWith(SECRET_PREFIX) || secret.length() == SECRET_PREFIX.length()) {
            throw new ValidationException(field, message);
        }
        try {
            Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new ValidationException(field, message, e);
        }
    }
}
