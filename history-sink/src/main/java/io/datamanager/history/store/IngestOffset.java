package io.datamanager.history.store;

/**
 * What one batch read of one partition of {@code dm.changes}: from offset {@code from} up to, not including,
 * {@code next}. Stored with the batch's versions, so the database itself says where its history of the partition ends.
 */
public record IngestOffset(String topic, int partition, long from, long next) {
    public IngestOffset {
        if (from < 0 || next <= from) {
            throw new IllegalArgumentException("offsets " + from + ".." + next + " of " + topic + "-" + partition + " are not a range");
        }
    }
}
