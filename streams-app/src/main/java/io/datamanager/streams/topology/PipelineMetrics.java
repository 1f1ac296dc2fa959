package io.datamanager.streams.topology;

import java.time.Duration;

/** What the topology reports; Quarkus binds it to Micrometer, tests count in memory. */
public interface PipelineMetrics {
    /** A record passed a stage ({@code parse}, {@code enrich}, {@code route}, {@code rules}). */
    void processed(String stage);

    /** A record went to the dead-letter topic from a stage. */
    void deadLettered(String stage);

    /** A change capture sent again (its position already passed in its partition) was dropped. */
    void replayDropped();

    /** Time from the source commit to the change leaving for {@code dm.changes}. */
    void endToEndLag(Duration lag);

    /**
     * An application context was refused ({@code not_json}, {@code not_an_object}, {@code too_large}, {@code no_tx_id},
     * {@code not_a_context_message}): dropped from a change, or a message dead-lettered.
     */
    default void contextRejected(String reason) {}

    PipelineMetrics NONE = new PipelineMetrics() {
        @Override
        public void processed(String stage) {}

        @Override
        public void deadLettered(String stage) {}

        @Override
        public void replayDropped() {}

        @Override
        public void endToEndLag(Duration lag) {}
    };
}
