package io.datamanager.gateway.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When to try a webhook again: a configurable schedule of delays reaching hours (default 5 s, 30 s, 2 min,
 * 10 min, 30 min, 1 h, 2 h, 4 h), each with full jitter of ±20 % so failing endpoints are not hit in
 * lockstep; a {@code Retry-After} the receiver sent wins when it is longer. After the last delay the
 * delivery becomes a dead letter. The random source is injectable for tests.
 */
public final class RetrySchedule {
    public static final List<Duration> DEFAULT = List.of(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(2),
            Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4));
    private static final double JITTER = 0.2;

    private final List<Duration> delays;
    private final DoubleSupplier random;

    public RetrySchedule(List<Duration> delays, DoubleSupplier random) {
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("a retry schedule needs at least one delay");
        }
        this.delays = List.copyOf(delays);
        this.random = random;
    }

    /** The attempts in all: the first plus one per delay. */
    public int attempts() {
        return delays.size() + 1;
    }

    /**
     * The wait before attempt {@code failedAttempts + 1}, or empty when the delivery is to become a dead
     * letter.
     *
     * @param failedAttempts attempts made so far, all failed (1 after the first failure)
     * @param retryAfter the receiver's {@code Retry-After} header, if it sent one
     */
    public Optional<Duration> next(int failedAttempts, String retryAfter, Instant now) {
        if (failedAttempts < 1 || failedAttempts > delays.size()) {
            return Optional.empty();
        }
        Duration base = delays.get(failedAttempts - 1);
        long millis = base.toMillis();
        long jittered = Math.round(millis * (1 - JITTER + 2 * JITTER * random.getAsDouble()));
        Duration delay = Duration.ofMillis(Math.max(0, jittered));
        Optional<Duration> asked = retryAfter(retryAfter, now);
        return Optional.of(asked.filter(a -> a.compareTo(delay) > 0).orElse(delay));
    }

    /** {@code Retry-After} as seconds or as an HTTP date; nonsense is ignored. */
    static Optional<Duration> retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        try {
            long seconds = Long.parseLong(header.trim());
            return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return at.isAfter(now) ? Optional.of(Duration.between(now, at)) : Optional.of(Duration.ZERO);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }
}
