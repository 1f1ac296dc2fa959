package io.datamanager.history.restore;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Through which source position history is known complete: the newest mark (WAL position and the source's clock)
 * for which every change committed before it was found stored. Advanced by {@link CompletenessWatch} in the background
 * and by every transaction or window restore; it only moves forward. Empty until the first check passed, or when
 * there is no source connection to check against.
 */
@ApplicationScoped
public class CompleteThrough {
    private final AtomicReference<HistoryCompleteness.Mark> mark = new AtomicReference<>();

    public Optional<HistoryCompleteness.Mark> get() {
        return Optional.ofNullable(mark.get());
    }

    void advance(HistoryCompleteness.Mark next) {
        mark.accumulateAndGet(next, (a, b) -> a == null || b.commitTs().isAfter(a.commitTs()) ? b : a);
    }
}
