package io.datamanager.model.debezium;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import java.util.List;
import java.util.Optional;

/**
 * Reads how far capture has safely written from a record of its offsets topic ({@code dm.offsets}, Kafka
 * Connect's format, the same for Debezium Server and the embedded engine). Debezium commits an offset only
 * after Kafka acknowledged every record before it, and PostgreSQL streams transactions in commit order, so
 * every transaction that committed at or before {@code lsn_proc} (the last event completely processed) is in
 * Kafka. During the initial snapshot the position says nothing about what was written: no position then.
 */
public final class CaptureOffsets {
    private static final List<String> FIELDS = List.of("lsn_proc", "lsn_commit", "lsn");

    private CaptureOffsets() {}

    /** How far capture has safely written; empty for a tombstone, a foreign record, or during the initial snapshot. */
    public static Optional<Lsn> position(byte[] value) {
        JsonNode offset = read(value);
        if (offset == null || inSnapshot(offset)) {
            return Optional.empty();
        }
        for (String field : FIELDS) {
            JsonNode lsn = offset.path(field);
            if (lsn.canConvertToLong()) {
                return Optional.of(new Lsn(lsn.asLong()));
            }
        }
        return Optional.empty();
    }

    /** Whether the offset was written during the initial snapshot, before it completed. */
    private static boolean inSnapshot(JsonNode offset) {
        JsonNode snapshot = offset.path("snapshot");
        boolean marked = !snapshot.isMissingNode() && !snapshot.isNull() && !"false".equalsIgnoreCase(snapshot.asText());
        return marked && !offset.path("snapshot_completed").asBoolean(false);
    }

    private static JsonNode read(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            JsonNode offset = Json.tree(value, "offset");
            return offset.isObject() ? offset : null;
        } catch (RuntimeException notAnOffset) {
            return null;
        }
    }
}
