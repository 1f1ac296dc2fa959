package io.datamanager.gateway.delivery;

import io.datamanager.model.ValidationException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signing: headers {@code webhook-id}, {@code webhook-timestamp} (seconds) and
 * {@code webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">} keyed by the secret after its
 * {@code whsec_} prefix (base64). During a rotation both secrets sign, space-separated, so receivers that
 * know either one accept. The clock is injectable so tests need not wait.
 */
public final class WebhookSigner {
    public static final String PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Clock clock;

    public WebhookSigner(Clock clock) {
        this.clock = clock;
    }

    /** A new secret: {@code whsec_} + 32 random bytes in base64. */
    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** The headers of one delivery attempt, signed by every given secret (current first). */
    public Map<String, String> headers(String eventId, byte[] body, List<String> secrets) {
        long timestamp = clock.instant().getEpochSecond();
        StringBuilder signatures = new StringBuilder();
        for (String secret : secrets) {
            if (!signatures.isEmpty()) {
                signatures.append(' ');
            }
            signatures.append("v1,").append(sign(secret, eventId, timestamp, body));
        }
        return Map.of("webhook-id", eventId, "webhook-timestamp", Long.toString(timestamp), "webhook-signature", signatures.toString());
    }

    /** base64 HMAC-SHA256 of {@code id.timestamp.body}. */
    public static String sign(String secret, String eventId, long timestamp, byte[] body) {
        try {
            Mac mac = mac(secret);
            mac.update((eventId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /**
     * What a receiver does: true when one of the {@code v1,} signatures matches and the timestamp is within
     * {@code tolerance} of now (replays of old deliveries are refused).
     */
    public boolean verify(String secret, Map<String, String> headers, byte[] body, Duration tolerance) {
        String id = headers.get("webhook-id");
        String ts = headers.get("webhook-timestamp");
        String signatures = headers.get("webhook-signature");
        if (id == null || ts == null || signatures == null) {
            return false;
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(ts);
        } catch (NumberFormatException e) {
            return false;
        }
        if (Duration.between(Instant.ofEpochSecond(timestamp), clock.instant()).abs().compareTo(tolerance) > 0) {
            return false;
        }
        byte[] expected = sign(secret, id, timestamp, body).getBytes(StandardCharsets.UTF_8);
        for (String candidate : signatures.split(" ")) {
            if (candidate.startsWith("v1,")
                    && MessageDigest.isEqual(expected, candidate.substring(3).getBytes(StandardCharsets.UTF_8))) {
                return true;
            }
        }
        return false;
    }

    /** Keyed HMACs by secret, cloned for each signature: a provider lookup and key setup per delivery cost more than the HMAC. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Mac> KEYED = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int KEYED_MAX = 1024;

    private static Mac mac(String secret) throws NoSuchAlgorithmException, InvalidKeyException {
        Mac keyed = KEYED.get(secret);
        if (keyed == null) {
            keyed = Mac.getInstance("HmacSHA256");
            keyed.init(new SecretKeySpec(key(secret), "HmacSHA256"));
            if (KEYED.size() >= KEYED_MAX) {
                KEYED.clear(); // rotated-out secrets must not pile up
            }
            KEYED.put(secret, keyed);
        }
        try {
            return (Mac) keyed.clone();
        } catch (CloneNotSupportedException e) {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key(secret), "HmacSHA256"));
            return mac;
        }
    }

    static byte[] key(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            throw new ValidationException("delivery.webhook.secret", "must start with " + PREFIX);
        }
        try {
            return Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new ValidationException("delivery.webhook.secret", "must be whsec_ followed by base64");
        }
    }
}
