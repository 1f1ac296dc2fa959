package io.datamanager.model.debezium;

import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.model.Lsn;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Offsets as Debezium 3.6 wrote them to dm.offsets, recorded from a capture of PostgreSQL 17. */
class CaptureOffsetsTest {

    @Test
    void afterACommitTheProcessedPositionIsTheCommitsEnd() {
        assertThat(position("{\"lsn_proc\":26201840,\"messageType\":\"COMMIT\",\"lsn_commit\":26201840,\"lsn\":26201840,"
                + "\"txId\":744,\"ts_usec\":1795547276415553}")).contains(new Lsn(26201840));
    }

    @Test
    void midTransactionTheProcessedPositionIsTheLastChangeNotThePreviousCommit() {
        assertThat(position("{\"lsn_proc\":26201664,\"messageType\":\"INSERT\",\"lsn_commit\":26201608,\"lsn\":26201664,"
                + "\"txId\":744,\"ts_usec\":1795547276415553}")).contains(new Lsn(26201664));
    }

    @Test
    void aHeartbeatMessageMovesThePositionOnAnIdleDatabase() {
        assertThat(position("{\"lsn_proc\":26202456,\"messageType\":\"MESSAGE\",\"lsn_commit\":26202456,\"lsn\":26202456,"
                + "\"ts_usec\":1795547321457384}")).contains(new Lsn(26202456));
    }

    @Test
    void theFirstStreamingOffsetHasOnlyTheStartPosition() {
        assertThat(position("{\"lsn\":45733240,\"txId\":742,\"ts_usec\":1795548055496999}")).contains(new Lsn(45733240));
    }

    @Test
    void duringTheInitialSnapshotThereIsNoPositionYet() {
        assertThat(position("{\"last_snapshot_record\":false,\"lsn\":45733240,\"txId\":742,\"ts_usec\":1795548055496999,"
                + "\"snapshot\":\"INITIAL\",\"snapshot_completed\":false}")).isEmpty();
        assertThat(position("{\"lsn\":45733240,\"snapshot\":\"INITIAL\",\"snapshot_completed\":true}")).contains(new Lsn(45733240));
    }

    @Test
    void tombstonesAndForeignRecordsHaveNoPosition() {
        assertThat(CaptureOffsets.position(null)).isEmpty();
        assertThat(position("not json")).isEmpty();
        assertThat(position("{\"other\":1}")).isEmpty();
    }

    private static Optional<Lsn> position(String json) {
        return CaptureOffsets.position(json.getBytes(StandardCharsets.UTF_8));
    }
}
