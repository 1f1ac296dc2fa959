package io.datamanager.streams.topology;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Lsn;
import io.datamanager.model.debezium.StreamPosition;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Recognises a change that capture sent again, whatever happened to its row since. Capture is at-least-once:
 * after a crash it sends again, in the same order and with the same positions, everything after its last
 * committed offset. A check against the row's last state (how this stage used to do it) cannot see a replay
 * once the row is deleted, since a delete frees the state: replayed deletes went out again, with Debezium's
 * placeholders as before image (issue 12).
 *
 * <p>So the check needs no row state. Per input partition ({@code dm.cdc.<table>} topic and partition, which
 * holds capture's output in capture's order) a {@link HighWater} mark keeps the {@link StreamPosition} of the
 * newest streamed change passed, and the ids of the changes passed at exactly that position. A streamed change
 * below the mark, or at it with an id already passed, is a replay. One small value per partition, in a
 * changelogged store that commits atomically with the output under {@code exactly_once_v2}, so a crash of
 * the streams-app neither forgets a mark nor keeps one for output it did not commit. (A tombstone per deleted
 * key, kept for a while, would also work, but only as long as the last-state store exists and the tombstone
 * outlives the longest capture outage; the mark needs neither, and costs nothing per row.)
 *
 * <p>Snapshot reads all carry the snapshot's LSN and come in no order that a restarted snapshot repeats, so
 * they are recognised by event id (table, key and the snapshot's LSN): the ids of the newest snapshot of a
 * partition are kept until a streamed change follows it there (capture streams only after a complete
 * snapshot, so every read of it was passed; a read at its LSN after that is a replay) or a newer snapshot
 * begins. A read of an older snapshot is a replay; a read of a newer one (a re-snapshot, e.g. after the slot
 * was dropped) starts anew and passes. The ids cost one store entry per row of a snapshot, for its duration.
 *
 * <p>A record without {@code source.sequence} (not Debezium's PostgreSQL connector) has no position and is
 * never taken for a replay.
 */
final class ReplayGuard {
    static final String POSITIONS = "dm-capture-positions";
    static final String SNAPSHOT_READS = "dm-snapshot-reads";
    private static final byte[] SEEN = {1};

    private final KeyValueStore<String, byte[]> positions;
    private final KeyValueStore<String, byte[]> snapshotReads;
    /**
     * The mark last written per partition with the very bytes written: while the store gives back that same array (its
     * cache holds it until the commit, and nothing writes the array), the mark need not be read from JSON again. Any
     * other array (restored, read back from RocksDB) is read as usual.
     */
    private final Map<String, Written> written = new HashMap<>();

    /** @param streamed the mark's {@link HighWater#streamed()}, parsed once */
    private record Written(byte[] bytes, HighWater mark, StreamPosition streamed) {}

    ReplayGuard(KeyValueStore<String, byte[]> positions, KeyValueStore<String, byte[]> snapshotReads) {
        this.positions = positions;
        this.snapshotReads = snapshotReads;
    }

    /**
     * True when the change was passed before; otherwise records it as passed.
     *
     * @param partition the input topic and partition the change came from
     */
    boolean isReplay(String partition, ChangeEvent event, StreamPosition position) {
        if (position == null) {
            return false;
        }
        HighWater mark = mark(partition);
        return position.snapshot()
                ? snapshotReplay(partition, mark, event.id(), position.change())
                : streamedReplay(partition, mark, event.id(), position);
    }

    private boolean streamedReplay(String partition, HighWater mark, String id, StreamPosition position) {
        Written last = written.get(partition);
        StreamPosition newest = last != null && last.mark() == mark ? last.streamed() : mark.streamed();
        int order = newest == null ? 1 : position.compareTo(newest);
        if (order < 0 || order == 0 && mark.ids().contains(id)) {
            return true;
        }
        if (mark.snapshot() != null && !mark.streamedSinceSnapshot()) {
            forgetSnapshotReads(partition);
        }
        put(partition, mark.passed(position, id, newest));
        return false;
    }

    private boolean snapshotReplay(String partition, HighWater mark, String id, Lsn snapshot) {
        Lsn newest = mark.snapshotLsn();
        String read = partition + '|' + id;
        if (newest == null || snapshot.compareTo(newest) > 0) {
            forgetSnapshotReads(partition);
            put(partition, mark.snapshotStarted(snapshot));
        } else if (snapshot.compareTo(newest) < 0 || mark.streamedSinceSnapshot() || snapshotReads.get(read) != null) {
            return true;
        }
        snapshotReads.put(read, SEEN);
        return false;
    }

    private HighWater mark(String partition) {
        byte[] bytes = positions.get(partition);
        Written last = written.get(partition);
        return last != null && last.bytes() == bytes ? last.mark() : HighWater.fromBytes(bytes);
    }

    private void put(String partition, HighWater mark) {
        byte[] bytes = mark.toBytes();
        positions.put(partition, bytes);
        written.put(partition, new Written(bytes, mark, mark.streamed()));
    }

    private void forgetSnapshotReads(String partition) {
        try (KeyValueIterator<String, byte[]> reads = snapshotReads.prefixScan(partition + '|', new StringSerializer())) {
            while (reads.hasNext()) {
                KeyValue<String, byte[]> read = reads.next();
                snapshotReads.delete(read.key);
            }
        }
    }
}
