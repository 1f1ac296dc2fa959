package io.datamanager.streams.topology;

import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.debezium.StreamPosition;
import java.util.ArrayList;
import java.util.List;

/**
 * How far the enrich stage got in one {@code dm.cdc.*} partition: the value of {@link ReplayGuard}'s
 * positions store. LSNs are written as PostgreSQL writes them.
 *
 * @param commit commit part of the newest streamed change passed (null before the first)
 * @param change change part of that position
 * @param ids the event ids passed at exactly that position (usually one; a multi-row WAL record gives more)
 * @param snapshot the LSN of the newest snapshot whose reads reached this partition, or null
 * @param streamedSinceSnapshot whether a streamed change followed that snapshot here: the snapshot is complete
 */
record HighWater(String commit, String change, List<String> ids, String snapshot, boolean streamedSinceSnapshot) {
    static final HighWater NONE = new HighWater(null, null, List.of(), null, false);

    HighWater {
        ids = ids == null ? List.of() : List.copyOf(ids);
    }

    static HighWater fromBytes(byte[] bytes) {
        return bytes == null ? NONE : Json.read(bytes, HighWater.class);
    }

    byte[] toBytes() {
        return Json.toBytes(this);
    }

    /** The position of the newest streamed change passed, or null. */
    StreamPosition streamed() {
        return commit == null ? null : new StreamPosition(Lsn.parse(commit), Lsn.parse(change), false);
    }

    Lsn snapshotLsn() {
        return snapshot == null ? null : Lsn.parse(snapshot);
    }

    /** After passing a streamed change at {@code position}: a new mark, or one more id at the same mark. */
    HighWater passed(StreamPosition position, String id) {
        return passed(position, id, streamed());
    }

    /** As {@link #passed(StreamPosition, String)}, given {@link #streamed()} already parsed. */
    HighWater passed(StreamPosition position, String id, StreamPosition streamed) {
        boolean same = position.equals(streamed);
        List<String> at = new ArrayList<>(same ? ids : List.of());
        at.add(id);
        return new HighWater(position.commit().toString(), position.change().toString(), at, snapshot, snapshot != null);
    }

    /** After the first read of a newer snapshot. */
    HighWater snapshotStarted(Lsn lsn) {
        return new HighWater(commit, change, ids, lsn.toString(), false);
    }
}
