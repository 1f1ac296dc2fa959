package io.datamanager.streams.topology;

/**
 * Where the global rules processor sends a rule it cannot apply: global processors cannot forward
 * records, so the application gives them a producer to {@code dm.dlq}.
 */
@FunctionalInterface
public interface DeadLetterSink {
    void send(Outcome.DeadLetter letter);
}
