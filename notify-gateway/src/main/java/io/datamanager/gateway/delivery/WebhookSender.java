package io.datamanager.gateway.delivery;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One delivery attempt of one change to one webhook, and what to do next: done (2xx), try again later
 * (after the schedule's delay, or the receiver's Retry-After), give up (the schedule is spent: a dead
 * letter), or stop delivering to this subscription (410 Gone). Redirects are not followed, the answer is
 * read up to a cap, and the whole attempt has a time limit.
 *
 * <p>The attempt connects to the address the {@link UrlGuard} checked, never resolving the name again,
 * so DNS rebinding between check and connection cannot move it. The JDK {@code HttpClient} has no way to
 * do that (it resolves the host itself; rewriting the URL to the IP loses the certificate check of the
 * name), so this uses the Vert.x client the gateway already runs on: {@link RequestOptions#setServer}
 * names the socket address to connect to, while the host name still goes into the Host header, the TLS
 * server name (SNI) and the certificate's host name verification. {@link #send} blocks its caller
 * (a delivery's virtual thread, or a REST worker thread), never an event loop.
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

    /** What the receiver answered: status, its Retry-After, and up to {@link #MAX_RESPONSE_BYTES} of its body. */
    private record Answer(int status, String retryAfter, String text) {}

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

    /**
     * Client options: no redirects, host names verified against the certificate (JDK trust store), give up
     * connecting after {@code connectTimeout}; enough connections per receiver that one subscription's slow
     * attempt does not queue another's.
     */
    public static HttpClientOptions options(Duration connectTimeout) {
        return new HttpClientOptions().setVerifyHost(true).setConnectTimeout((int) connectTimeout.toMillis())
                .setMaxPoolSize(256).setMaxRedirects(0);
    }

    public static HttpClient client(Vertx vertx, Duration connectTimeout) {
        return vertx.createHttpClient(options(connectTimeout));
    }

    /**
     * @param target what {@link UrlGuard#check} passed; the attempt connects to its checked address
     * @param attempt 1 for the first attempt
     * @param secrets current secret first; the previous one too during a rotation
     */
    public Outcome send(UrlGuard.Vetted target, String eventId, byte[] body, List<String> secrets, int attempt) {
        String path = target.uri().getRawPath() == null || target.uri().getRawPath().isEmpty() ? "/" : target.uri().getRawPath();
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setSsl(target.https())
                .setHost(target.host()).setPort(target.port())
                .setURI(target.uri().getRawQuery() == null ? path : path + "?" + target.uri().getRawQuery())
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(target.address(), target.port())))
                .setFollowRedirects(false)
                .putHeader("Host", target.uri().getRawAuthority()) // as written: Vert.x would not bracket an IPv6 literal
                .putHeader("Content-Type", "application/json").putHeader("User-Agent", "datamanager-webhooks/1");
        signer.headers(eventId, body, secrets).forEach(request::putHeader);
        String error;
        String retryAfter = null;
        CompletableFuture<Answer> pending = exchange(request, body);
        try {
            Answer answer = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (answer.status() >= 200 && answer.status() < 300) {
                return new Outcome.Delivered(answer.status());
            }
            if (answer.status() == 410) {
                return new Outcome.Gone("HTTP 410 Gone: the receiver asked to stop");
            }
            retryAfter = answer.retryAfter();
            error = "HTTP " + answer.status() + (answer.text().isBlank() ? "" : ": " + answer.text());
        } catch (TimeoutException e) {
            pending.completeExceptionally(e); // resets the request, closing its connection
            error = "TimeoutException: no answer within " + timeout;
        } catch (ExecutionException e) {
            error = describe(e.getCause() == null ? e : e.getCause());
        } catch (InterruptedException e) {
            pending.completeExceptionally(e);
            Thread.currentThread().interrupt();
            error = "interrupted";
        }
        return failed(error, attempt, retryAfter);
    }

    /** A failed attempt: another after the schedule's delay (or the receiver's Retry-After), or a dead letter once it is spent. */
    public Outcome failed(String error, int attempt, String retryAfter) {
        Optional<Duration> delay = schedule.next(attempt, retryAfter, Instant.now(clock));
        return delay.<Outcome>map(d -> new Outcome.RetryLater(d, error))
                .orElseGet(() -> new Outcome.DeadLetter(error + " (after " + attempt + " attempts)"));
    }

    /** The failure and, when it hides the reason (a TLS handshake says only that it failed), its root cause. */
    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        return root == failure ? text : text + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    /** Sends the request; the answer completes with the status once the body ends or the cap is reached. */
    private CompletableFuture<Answer> exchange(RequestOptions options, byte[] body) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        http.request(options).onFailure(answer::completeExceptionally).onSuccess(request -> {
            request.exceptionHandler(answer::completeExceptionally); // also takes our own reset, instead of an error log line
            answer.whenComplete((done, failed) -> {
                if (failed != null) {
                    request.reset(); // given up (time limit): the connection is closed, not reused
                }
            });
            if (answer.isDone()) {
                return; // connected only after the time limit
            }
            request.send(Buffer.buffer(body)).onFailure(answer::completeExceptionally).onSuccess(response -> read(response, answer));
        });
        return answer;
    }

    private static void read(HttpClientResponse response, CompletableFuture<Answer> answer) {
        Buffer text = Buffer.buffer();
        String retryAfter = response.getHeader("Retry-After");
        response.exceptionHandler(answer::completeExceptionally);
        response.handler(chunk -> {
            if (answer.isDone()) {
                return;
            }
            text.appendBuffer(chunk, 0, Math.min(chunk.length(), MAX_RESPONSE_BYTES - text.length()));
            if (text.length() >= MAX_RESPONSE_BYTES) {
                answer.complete(new Answer(response.statusCode(), retryAfter, text.toString(StandardCharsets.UTF_8).strip()));
                response.request().reset(); // read enough: the rest is not waited for
            }
        });
        response.endHandler(end -> answer.complete(new Answer(response.statusCode(), retryAfter,
                text.toString(StandardCharsets.UTF_8).strip())));
    }
}
