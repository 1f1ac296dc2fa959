package io.datamanager.gateway.consistency;

import io.datamanager.model.Lsn;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * One step of the pipeline proving positions: an epoch claims "everything up to {@code lsn} is in these
 * partitions below these end offsets"; once every consumer group of the next stage has committed at or past
 * those ends, the next stage has everything up to {@code lsn} too, and the epoch's LSN is proven. Epochs are
 * taken in LSN order with growing end offsets, so they complete in order.
 */
final class Epochs {
    private static final int MAX_PENDING = 16;

    record Epoch(Lsn lsn, Map<TopicPartition, Long> ends) {}

    private final ArrayDeque<Epoch> pending = new ArrayDeque<>();
    private Lsn proven;

    /** Whether an epoch at {@code lsn} would say more than the ones already taken (and there is room for it). */
    boolean wants(Lsn lsn) {
        if (lsn == null || pending.size() >= MAX_PENDING) {
            return false;
        }
        Lsn newest = pending.isEmpty() ? proven : pending.peekLast().lsn();
        return newest == null || lsn.compareTo(newest) > 0;
    }

    void add(Lsn lsn, Map<TopicPartition, Long> ends) {
        pending.add(new Epoch(lsn, Map.copyOf(ends)));
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Completes the epochs every group has passed; returns the proven LSN (null while none is). */
    Lsn advance(List<Map<TopicPartition, Long>> committedByGroup) {
        while (!pending.isEmpty() && committedByGroup.stream().allMatch(committed -> passed(pending.peekFirst().ends(), committed))) {
            Lsn lsn = pending.poll().lsn();
            proven = proven == null || lsn.compareTo(proven) > 0 ? lsn : proven;
        }
        return proven;
    }

    Lsn proven() {
        return proven;
    }

    /** Every partition with records has a committed offset at or past its end. */
    static boolean passed(Map<TopicPartition, Long> ends, Map<TopicPartition, Long> committed) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (end.getValue() > 0 && committed.getOrDefault(end.getKey(), 0L) < end.getValue()) {
                return false;
            }
        }
        return true;
    }
}
