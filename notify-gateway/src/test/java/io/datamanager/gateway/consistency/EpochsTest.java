package io.datamanager.gateway.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.model.Lsn;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class EpochsTest {
    private static final TopicPartition A = new TopicPartition("dm.cdc.public.orders", 0);
    private static final TopicPartition B = new TopicPartition("dm.cdc.public.orders", 1);

    @Test
    void anEpochIsProvenOnlyWhenEveryGroupPassedEveryPartitionWithRecords() {
        Epochs epochs = new Epochs();
        epochs.add(new Lsn(100), Map.of(A, 10L, B, 0L));

        assertThat(epochs.advance(List.of(Map.of(A, 9L)))).isNull();
        assertThat(epochs.advance(List.of(Map.of(A, 10L), Map.of(A, 9L)))).as("one group short").isNull();
        assertThat(epochs.advance(List.of(Map.of(A, 10L), Map.of(A, 12L)))).as("an empty partition needs nothing")
                .isEqualTo(new Lsn(100));
        assertThat(epochs.hasPending()).isFalse();
    }

    @Test
    void epochsCompleteInOrderAndTheNewestProvenStays() {
        Epochs epochs = new Epochs();
        epochs.add(new Lsn(100), Map.of(A, 10L));
        epochs.add(new Lsn(200), Map.of(A, 20L, B, 5L));

        assertThat(epochs.advance(List.of(Map.of(A, 15L)))).isEqualTo(new Lsn(100));
        assertThat(epochs.advance(List.of(Map.of(A, 20L, B, 5L)))).isEqualTo(new Lsn(200));
        assertThat(epochs.advance(List.of(Map.of()))).as("proven stays proven").isEqualTo(new Lsn(200));
    }

    @Test
    void noGroupToWaitForProvesAtOnce() {
        Epochs epochs = new Epochs();
        epochs.add(new Lsn(100), Map.of(A, 10L));
        assertThat(epochs.advance(List.of())).isEqualTo(new Lsn(100));
    }

    @Test
    void onlyANewerPositionIsWorthAnEpoch() {
        Epochs epochs = new Epochs();
        assertThat(epochs.wants(null)).isFalse();
        assertThat(epochs.wants(new Lsn(100))).isTrue();
        epochs.add(new Lsn(100), Map.of());
        assertThat(epochs.wants(new Lsn(100))).isFalse();
        assertThat(epochs.wants(new Lsn(101))).isTrue();
        epochs.advance(List.of());
        assertThat(epochs.wants(new Lsn(100))).as("proven already").isFalse();
    }
}
