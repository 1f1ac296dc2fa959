package io.datamanager.streams.topology;

import static io.datamanager.streams.topology.Pipeline.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Op;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Capture's replays (the same raw records again, after a crash of capture) are dropped whatever happened to
 * their rows since, and nothing that is not a replay is: interleaved transactions, several rows of one WAL
 * record, snapshot reads that all share one LSN, a new snapshot.
 */
class ReplayTest {
    private static final String T = "public.ledger";
    private final Pipeline p = new Pipeline();

    @AfterEach
    void close() {
        p.close();
    }

    /** One raw record, kept so the test can send it again as capture would. */
    private record Sent(ObjectNode key, byte[] value) {}

    private Sent send(String op, int id, ObjectNode before, ObjectNode after, Long commit, long lsn) {
        Sent sent = new Sent(row("id", id), Pipeline.envelope(T, op, before, after, commit, lsn));
        replay(sent);
        return sent;
    }

    private void replay(Sent... sent) {
        for (Sent s : sent) {
            p.raw(T, Json.toBytes(s.key()), s.value(), null);
        }
    }

    /** Debezium's before image of a delete under REPLICA IDENTITY DEFAULT: the key, then placeholders. */
    private static ObjectNode deleted(int id) {
        return row("id", id, "v", 0, "label", "", "note", null, "updated_at", "1970-01-01T00:00:00Z");
    }

    private static ObjectNode image(int id, int v) {
        return row("id", id, "v", v, "label", "label " + v, "note", "note " + v, "updated_at", "2026-11-23T10:00:00.000000Z");
    }

    @Test
    void aReplayOfAnInsertUpdateAndDeleteAfterTheRowWasDeletedIsDropped() {
        Sent insert = send("c", 1, null, image(1, 1), 1000L, 1000);
        Sent update = send("u", 1, null, image(1, 2), 1100L, 1100);
        Sent delete = send("d", 1, deleted(1), null, 1200L, 1200);
        replay(insert, update, delete);

        List<ChangeEvent> changes = p.changes();
        assertThat(changes).extracting(ChangeEvent::op).containsExactly(Op.INSERT, Op.UPDATE, Op.DELETE);
        assertThat(changes.get(2).before()).isEqualTo(image(1, 2));
        assertThat(changes.get(2).complete()).isTrue();
        assertThat(p.metrics.replays).hasValue(3);
        assertThat(p.driver.<String, byte[]>getKeyValueStore(EnrichProcessor.STORE).get(T + "{\"id\":1}")).as("no state revived").isNull();
    }

    @Test
    void aReplayAfterTheRowWasDeletedAndInsertedAgainIsDroppedAndLeavesItsStateAlone() {
        Sent insert = send("c", 1, null, image(1, 1), 1000L, 1000);
        Sent delete = send("d", 1, deleted(1), null, 1100L, 1100);
        send("c", 1, null, image(1, 5), 1200L, 1200);
        replay(insert, delete);
        send("u", 1, null, image(1, 6), 1300L, 1300);

        List<ChangeEvent> changes = p.changes();
        assertThat(changes).extracting(ChangeEvent::op).containsExactly(Op.INSERT, Op.DELETE, Op.INSERT, Op.UPDATE);
        assertThat(changes.get(3).before()).isEqualTo(image(1, 5));
        assertThat(changes.get(3).changed()).containsExactly("v", "label", "note");
        assertThat(p.metrics.replays).hasValue(2);
    }

    @Test
    void interleavedTransactionsAreNotTakenForReplaysButTheirReplaysAre() {
        // B commits first though A wrote first: A's change has the lower LSN, and a higher last commit
        Sent b = send("c", 2, null, image(2, 1), 1000L, 1200);
        Sent a = send("c", 1, null, image(1, 1), 1250L, 1100);
        Sent aAgain = send("u", 1, null, image(1, 2), 1250L, 1150);
        replay(b, a, aAgain);

        assertThat(p.changes()).extracting(e -> e.op() + " " + e.pk().get("id")).containsExactly("INSERT 2", "INSERT 1", "UPDATE 1");
        assertThat(p.metrics.replays).hasValue(3);
    }

    @Test
    void rowsOfOneWalRecordShareAPositionAndAreAllPassedOnce() {
        // COPY writes many rows in one WAL record: same last commit, same LSN, different rows
        Sent first = send("c", 1, null, image(1, 1), 1000L, 1100);
        Sent second = send("c", 2, null, image(2, 1), 1000L, 1100);
        replay(first);
        send("c", 3, null, image(3, 1), 1000L, 1100);
        replay(first, second);

        assertThat(p.changes()).extracting(e -> e.pk().get("id").asInt()).containsExactly(1, 2, 3);
        assertThat(p.metrics.replays).hasValue(3);
    }

    @Test
    void snapshotReadsAllShareOneLsnAndAreAllPassedOnceEvenWhenTheSnapshotStartsOver() {
        Sent one = send("r", 1, null, image(1, 1), null, 900);
        Sent two = send("r", 2, null, image(2, 1), null, 900);
        // capture crashed mid-snapshot and reads the table again at the same LSN, in another order
        Sent three = send("r", 3, null, image(3, 1), null, 900);
        replay(two, one);
        assertThat(p.changes()).extracting(e -> e.pk().get("id").asInt()).containsExactly(1, 2, 3);
        assertThat(p.metrics.replays).hasValue(2);

        send("u", 1, null, image(1, 2), null, 1000); // the first transaction after the snapshot: no commit known yet
        KeyValueStore<String, byte[]> reads = p.driver.getKeyValueStore(ReplayGuard.SNAPSHOT_READS);
        try (var all = reads.all()) {
            assertThat(all.hasNext()).as("snapshot ids forgotten once streaming began").isFalse();
        }
        replay(one, two, three); // offsets of the snapshot lost after streaming began: the whole snapshot again
        assertThat(p.changes()).extracting(ChangeEvent::op).containsExactly(Op.UPDATE);
        assertThat(p.metrics.replays).hasValue(5);

        // a new snapshot (a new slot) reads the rows at a later LSN: new versions, new ids
        send("r", 1, null, image(1, 3), null, 5000);
        send("r", 2, null, image(2, 3), null, 5000);
        List<ChangeEvent> resnapshot = p.changes();
        assertThat(resnapshot).extracting(ChangeEvent::op).containsExactly(Op.SNAPSHOT, Op.SNAPSHOT);
        send("u", 1, null, image(1, 4), 5100L, 5200);
        assertThat(p.changes()).singleElement().satisfies(u -> assertThat(u.before()).isEqualTo(image(1, 3)));
    }

    @Test
    void eachInputPartitionHasItsOwnMark() {
        send("c", 1, null, image(1, 1), 9000L, 9000);
        p.changeAt("public.other", "c", row("id", 1), null, image(1, 1), 1000L, 1000);
        assertThat(p.changes()).extracting(ChangeEvent::table).containsExactly(T, "public.other");
        assertThat(p.metrics.replays).hasValue(0);
    }
}
