package io.datamanager.gateway.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One delivery attempt of one change to one webhook, and what to do next: done (2xx), try again later
 * (after the schedule's delay, or the receiver's Retry-After), give up (the schedule is spent: a dead
 * letter), or stop delivering to this subscription (410 Gone). Redirects are not followed, the answer is
 * read up to a cap, and the whole attempt has a time limit.
 */
public final class WebhookSender {
    /** Most bytes of a receiver's answer read (kept as the error text of a failure). */
    public static final int MAX_RESPONSE_BYTES = 4096;

    public sealed interface Outcome {
        record Delivered(int status) implements Outcome {}

        record RetryLater(Duration delay, String error) implements Outcome {}

        record DeadLetter(String error) implements Outcome {}

        record Gone(String error) implements Outcome {}
    }

    private final HttpClient http;
    private final WebhookSigner signer;
    private final RetrySchedule schedule;
    private final Duration timeout;
    private final Clock clock;

    public WebhookSender(HttpClient http, WebhookSigner signer, RetrySchedule schedule, Duration timeout, Clock clock) {
        this.http = http;
        this.signer = signer;
        this.schedule = schedule;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** An HTTP client that never follows redirects and gives up connecting after {@code connectTimeout}. */
    public static HttpClient client(Duration connectTimeout) {
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(connectTimeout).build();
    }

    /**
     * @param attempt 1 for the first attempt
     * @param secrets current secret first; the previous one too during a rotation
     */
    public Outcome send(URI url, String eventId, byte[] body, List<String> secrets, int attempt) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json").header("User-Agent", "datamanager-webhooks/1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        signer.headers(eventId, body, secrets).forEach(request::header);
        int status;
        String error;
        String retryAfter = null;
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            status = response.statusCode();
            String answer = readCapped(response.body());
            if (status >= 200 && status < 300) {
                return new Outcome.Delivered(status);
            }
            if (status == 410) {
                return new Outcome.Gone("HTTP 410 Gone: the receiver asked to stop");
            }
            retryAfter = response.headers().firstValue("Retry-After").orElse(null);
            error = "HTTP " + status + (answer.isBlank() ? "" : ": " + answer);
        } catch (IOException e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted";
        }
        Optional<Duration> delay = schedule.next(attempt, retryAfter, Instant.now(clock));
        String failure = error;
        return delay.<Outcome>map(d -> new Outcome.RetryLater(d, failure))
                .orElseGet(() -> new Outcome.DeadLetter(failure + " (after " + attempt + " attempts)"));
    }

    private static String readCapped(InputStream in) throws IOException {
        try (in) {
            byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES);
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip();
        }
    }
}
