package io.datamanager.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class SubscriptionFeedTest {
    private static final TopicPartition P0 = new TopicPartition("dm.sub.orders", 0);
    private static final TopicPartition P1 = new TopicPartition("dm.sub.orders", 1);
    private static final TopicPartition P2 = new TopicPartition("dm.sub.orders", 2);

    @Test
    void anIdleFeedCommitsNothingAgainAndAMovedPartitionAlone() {
        Map<TopicPartition, Optional<Long>> committable = new HashMap<>(Map.of(P0, Optional.of(0L), P1, Optional.of(7L), P2, Optional.empty()));
        Map<TopicPartition, Long> committed = new HashMap<>();

        // the first time every known position is committed, an empty partition's 0 too; a worker with none yet is left out
        assertThat(SubscriptionFeed.moved(committable, committed)).isEqualTo(Map.of(P0, new OffsetAndMetadata(0), P1, new OffsetAndMetadata(7)));
        committed.putAll(Map.of(P0, 0L, P1, 7L));

        // nothing delivered since: nothing to send
        assertThat(SubscriptionFeed.moved(committable, committed)).isEmpty();

        // one partition moved, another got its first position
        committable.put(P1, Optional.of(9L));
        committable.put(P2, Optional.of(3L));
        assertThat(SubscriptionFeed.moved(committable, committed)).isEqualTo(Map.of(P1, new OffsetAndMetadata(9), P2, new OffsetAndMetadata(3)));
    }
}
