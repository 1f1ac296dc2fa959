package io.datamanager.gateway.delivery;

import io.datamanager.model.ChangeEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** Counts and remembers how one subscription's deliveries go. */
final class StatusTracker {
    private volatile String lsn;
    private volatile Instant commitTs;
    private volatile Double lagSeconds;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private volatile String lastError;
    private volatile boolean disabled;

    void delivered(ChangeEvent event) {
        progress(event);
    }

    void failed(String error) {
        failures.incrementAndGet();
        lastError = error;
    }

    void deadLettered(ChangeEvent event, String error) {
        deadLetters.incrementAndGet();
        lastError = error;
        progress(event);
    }

    void disable(String error) {
        disabled = true;
        lastError = error;
    }

    boolean disabled() {
        return disabled;
    }

    private void progress(ChangeEvent event) {
        lsn = event.lsn();
        commitTs = event.commitTs();
        lagSeconds = commitTs == null ? null : Duration.between(commitTs, Instant.now()).toMillis() / 1000.0;
    }

    /** For the lag gauge: 0 before the first delivery. */
    double lagSecondsOrZero() {
        Double lag = lagSeconds;
        return lag == null ? 0 : lag;
    }

    DeliveryStatus snapshot(long pending) {
        return new DeliveryStatus(lsn, commitTs, lagSeconds, pending, failures.get(), deadLetters.get(), lastError, disabled);
    }
}
