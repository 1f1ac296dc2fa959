package io.datamanager.streams.topology;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.debezium.StreamPosition;

/**
 * What a stage made of a record: a change to pass on, or a dead letter. Outcomes travel between
 * processors of one sub-topology only, so they need no serde.
 */
public sealed interface Outcome {
    /**
     * A change that passed a stage.
     *
     * @param position where capture placed it, as long as it travels from parse to enrich; null after
     */
    record Passed(ChangeEvent event, StreamPosition position) implements Outcome {
        Passed(ChangeEvent event) {
            this(event, null);
        }
    }

    /**
     * A record a stage could not handle, with its original bytes and where it came from.
     *
     * @param stage {@code parse}, {@code enrich}, {@code route}
     */
    record DeadLetter(String stage, Exception error, byte[] key, byte[] value, String sourceTopic, int sourcePartition,
            long sourceOffset) implements Outcome {}
}
