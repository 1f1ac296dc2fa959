package io.datamanager.examples.httpnotify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a Standard Webhooks signature with the JDK alone: {@code webhook-signature} holds one or more
 * {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">} (two during a secret rotation), keyed by the secret's
 * bytes after {@code whsec_}; the timestamp must be recent, so a captured request cannot be replayed later.
 */
public final class WebhookVerifier {
    private final byte[] key;
    private final Duration tolerance;
    private final Clock clock;

    public WebhookVerifier(String secret, Duration tolerance, Clock clock) {
        if (secret == null || !secret.startsWith("whsec_")) {
            throw new IllegalArgumentException("a webhook secret starts with whsec_");
        }
        this.key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        this.tolerance = tolerance;
        this.clock = clock;
    }

    /** True when one of the signatures is this secret's over exactly this id, timestamp and body, and the timestamp is recent. */
    public boolean verify(String id, String timestamp, String signatures, byte[] body) {
        if (id == null || timestamp == null || signatures == null) {
            return false;
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(clock.instant().getEpochSecond() - seconds) > tolerance.toSeconds()) {
            return false;
        }
        byte[] expected = sign(id + "." + timestamp + "." + new String(body, StandardCharsets.UTF_8));
        for (String signature : signatures.split(" ")) {
            if (signature.startsWith("v1,")) {
                byte[] given;
                try {
                    given = Base64.getDecoder().decode(signature.substring(3));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (MessageDigest.isEqual(expected, given)) {
                    return true;
                }
            }
        }
        return false;
    }

    private byte[] sign(String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
