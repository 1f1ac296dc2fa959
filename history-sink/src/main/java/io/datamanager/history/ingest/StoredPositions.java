package io.datamanager.history.ingest;

import io.datamanager.history.store.VersionStore;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Starts each partition of {@code dm.changes} this consumer is given where the history database says its versions
 * end ({@code dm_ingest_offset}, written with the versions), not at the group's committed offset, which follows the
 * database's commit and may lag it after a crash between the two. A partition the database holds nothing of starts at
 * the committed offset (or the earliest). Until the database answered, the partition stays paused: no record of it is
 * read from a place the database did not confirm.
 */
final class StoredPositions implements ConsumerRebalanceListener {
    private static final Logger LOG = Logger.getLogger(StoredPositions.class);

    private final Consumer<?, ?> consumer;
    private final VersionStore versions;
    private final String topic;
    private final Set<TopicPartition> unplaced = new HashSet<>();

    StoredPositions(Consumer<?, ?> consumer, VersionStore versions, String topic) {
        this.consumer = consumer;
        this.versions = versions;
        this.topic = topic;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        replace(partitions);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        unplaced.removeAll(partitions);
    }

    /** Pauses the partitions of dm.changes among these until {@link #place} sought them to where the database holds them. */
    void replace(Collection<TopicPartition> partitions) {
        List<TopicPartition> changes = partitions.stream().filter(p -> p.topic().equals(topic)).toList();
        if (changes.isEmpty()) {
            return;
        }
        consumer.pause(changes);
        unplaced.addAll(changes);
        place();
    }

    /** Whether the partition waits for the database to say where it starts. */
    boolean waiting(TopicPartition partition) {
        return unplaced.contains(partition);
    }

    /** Seeks the partitions waiting for it to the database's offsets and resumes them; they stay paused while it cannot answer. */
    void place() {
        if (unplaced.isEmpty()) {
            return;
        }
        Map<Integer, Long> stored;
        try {
            stored = versions.storedOffsets(topic);
        } catch (SQLException e) {
            LOG.warnf(e, "cannot read where the history database holds %s; its partitions wait", unplaced);
            return;
        }
        unplaced.retainAll(consumer.assignment());
        for (TopicPartition partition : unplaced) {
            Long next = stored.get(partition.partition());
            if (next != null) {
                consumer.seek(partition, next);
            }
        }
        LOG.debugf("%s start where the history database holds them: %s", unplaced, stored);
        consumer.resume(unplaced);
        unplaced.clear();
    }
}
