package io.datamanager.streams.topology;

import io.datamanager.model.ChangeEvent;

/**
 * What a stage made of a record: a change to pass on, or a dead letter. Outcomes travel between
 * processors of one sub-topology only, so they need no serde.
 */
public sealed interface Outcome {
    record Passed(ChangeEvent event) implements Outcome {}

    /**
     * A record a stage could not handle, with its original bytes and where it came from.
     *
     * @param stage {@code parse}, {@code enrich}, {@code route}
     */
    record DeadLetter(String stage, Exception error, byte[] key, byte[] value, String sourceTopic, int sourcePartition,
            long sourceOffset) implements Outcome {}
}
