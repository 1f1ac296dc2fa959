package io.datamanager.examples.httpnotify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Signatures as the Standard Webhooks specification makes them, computed here independently of the verifier. */
class WebhookVerifierTest {
    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    private static final String OTHER = "whsec_" + Base64.getEncoder().encodeToString("another secret of 32 bytes......".getBytes(StandardCharsets.UTF_8));
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final byte[] BODY = "{\"op\":\"update\",\"table\":\"public.orders\"}".getBytes(StandardCharsets.UTF_8);
    private final WebhookVerifier verifier = new WebhookVerifier(SECRET, Duration.ofMinutes(5), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aSignatureOverIdTimestampAndBodyWithTheSecretVerifies() throws Exception {
        String ts = Long.toString(NOW.getEpochSecond());
        assertThat(verifier.verify("msg_1", ts, sign(SECRET, "msg_1", ts, BODY), BODY)).isTrue();
    }

    @Test
    void aChangedBodyIdOrSecretDoesNot() throws Exception {
        String ts = Long.toString(NOW.getEpochSecond());
        String signature = sign(SECRET, "msg_1", ts, BODY);
        assertThat(verifier.verify("msg_1", ts, signature, "{\"op\":\"delete\"}".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(verifier.verify("msg_2", ts, signature, BODY)).isFalse();
        assertThat(verifier.verify("msg_1", ts, sign(OTHER, "msg_1", ts, BODY), BODY)).isFalse();
        assertThat(verifier.verify("msg_1", ts, null, BODY)).isFalse();
    }

    @Test
    void anOldTimestampIsARefusedReplay() throws Exception {
        String old = Long.toString(NOW.minus(Duration.ofMinutes(6)).getEpochSecond());
        assertThat(verifier.verify("msg_1", old, sign(SECRET, "msg_1", old, BODY), BODY)).isFalse();
    }

    @Test
    void duringARotationEitherOfTwoSignaturesWill() throws Exception {
        String ts = Long.toString(NOW.getEpochSecond());
        String both = sign(OTHER, "msg_1", ts, BODY) + " " + sign(SECRET, "msg_1", ts, BODY);
        assertThat(verifier.verify("msg_1", ts, both, BODY)).isTrue();
    }

    private static String sign(String secret, String id, String ts, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal((id + "." + ts + "." + new String(body, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8)));
    }
}
