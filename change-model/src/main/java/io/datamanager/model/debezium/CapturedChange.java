package io.datamanager.model.debezium;

import io.datamanager.model.ChangeEvent;

/**
 * A parsed {@code dm.cdc.*} record: the change in the contract's form, and where it stands in capture's output
 * (not part of the contract: only the stage that drops capture's replays needs it).
 *
 * @param event the change
 * @param position its place in capture's order; null when the envelope has no {@code source.sequence}
 */
public record CapturedChange(ChangeEvent event, StreamPosition position) {
    public CapturedChange {
        if (event == null) {
            throw new IllegalArgumentException("a captured change needs its event");
        }
    }
}
