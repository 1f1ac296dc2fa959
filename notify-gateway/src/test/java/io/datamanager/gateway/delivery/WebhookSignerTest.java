package io.datamanager.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {
    private static final Instant NOW = Instant.ofEpochSecond(1614265330);
    private final WebhookSigner signer = new WebhookSigner(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void signsLikeTheStandardWebhooksReferenceVector() {
        // the test vector of the Standard Webhooks reference libraries
        assertThat(WebhookSigner.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void headersCarryIdTimestampAndOneSignaturePerSecretDuringRotation() {
        String oldSecret = WebhookSigner.newSecret();
        String newSecret = WebhookSigner.newSecret();
        byte[] body = "{\"op\":\"update\"}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = signer.headers("evt-1", body, List.of(newSecret, oldSecret));

        assertThat(headers).containsEntry("webhook-id", "evt-1").containsEntry("webhook-timestamp", "1614265330");
        assertThat(headers.get("webhook-signature").split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
        assertThat(signer.verify(oldSecret, headers, body, Duration.ofMinutes(5))).isTrue();
        assertThat(signer.verify(newSecret, headers, body, Duration.ofMinutes(5))).isTrue();
        assertThat(signer.verify(WebhookSigner.newSecret(), headers, body, Duration.ofMinutes(5))).isFalse();
    }

    @Test
    void aTamperedBodyOrAStaleTimestampFailsVerification() {
        String secret = WebhookSigner.newSecret();
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = signer.headers("evt-2", body, List.of(secret));
        assertThat(signer.verify(secret, headers, "{\"a\":2}".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5))).isFalse();
        WebhookSigner later = new WebhookSigner(Clock.fixed(NOW.plus(Duration.ofMinutes(10)), ZoneOffset.UTC));
        assertThat(later.verify(secret, headers, body, Duration.ofMinutes(5))).isFalse();
    }

    @Test
    void newSecretsAreDistinctAndUsable() {
        String a = WebhookSigner.newSecret();
        assertThat(a).startsWith("whsec_").isNotEqualTo(WebhookSigner.newSecret());
        assertThat(WebhookSigner.key(a)).hasSize(32);
    }
}
