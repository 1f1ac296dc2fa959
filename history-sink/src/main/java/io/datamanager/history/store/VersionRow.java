package io.datamanager.history.store;

import io.datamanager.model.ChangeEvent;
import java.time.Instant;

/**
 * A version as the store needs it: its table and commit time (for the table's count and newest change) and its line of
 * COPY's text format (UTF-8), made where the record was read: the ingest makes these on several threads, so writing a
 * batch only sends bytes.
 */
public record VersionRow(String table, Instant commitTs, byte[] line) {
    public static VersionRow of(ChangeEvent event) {
        return new VersionRow(event.table(), event.commitTs(), CopyRows.row(event));
    }

    /**
     * The version of a {@code dm.changes} record read straight from its JSON ({@link DirectVersion}), or null when it
     * must be read as a {@link ChangeEvent} (which then stores it, or says what is wrong with it).
     */
    public static VersionRow direct(byte[] json) {
        return DirectVersion.read(json);
    }
}
