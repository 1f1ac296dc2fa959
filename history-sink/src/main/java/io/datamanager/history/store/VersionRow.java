package io.datamanager.history.store;

import io.datamanager.model.ChangeEvent;
import java.nio.charset.StandardCharsets;

/**
 * A version and its line of COPY's text format (UTF-8), made where the event was parsed: the ingest makes these on
 * several threads, so writing a batch only sends bytes.
 */
public record VersionRow(ChangeEvent event, byte[] line) {
    public static VersionRow of(ChangeEvent event) {
        return new VersionRow(event, CopyRows.row(event).getBytes(StandardCharsets.UTF_8));
    }
}
