package io.datamanager.local;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** The questions {@link StatusCommand} asks Kafka, and how it says a failure in words. */
final class StatusProbes {
    private StatusProbes() {}

    /** Records the group has yet to read in the topics it has committed offsets for. */
    static String lag(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(3, TimeUnit.SECONDS);
        if (committed.isEmpty()) {
            return "no offsets yet";
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(p -> latest.put(p, OffsetSpec.latest()));
        long lag = 0;
        for (var end : admin.listOffsets(latest).all().get(3, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata at = committed.get(end.getKey());
            lag += Math.max(0, end.getValue().offset() - (at == null ? 0 : at.offset()));
        }
        return String.format("%,d records behind (%d partitions)", lag, committed.size());
    }

    /** An exception as one line a user can read: the deepest cause's message, without the class names around it. */
    static String words(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof java.util.concurrent.TimeoutException || root instanceof org.apache.kafka.common.errors.TimeoutException) {
            return "no answer in time";
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.lines().findFirst().orElse(message);
    }
}
