package io.datamanager.streams.lifecycle;

import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.streams.KafkaStreams;
import org.jboss.logging.Logger;

/**
 * Ends the process when Kafka Streams gives up (state ERROR: after a broker restart aborted its transaction, for
 * one), instead of living on without processing: whatever runs it (the local stack's supervisor, a container's
 * restart policy) then starts it again, and it resumes from its committed offsets. Quarkus registers this bean as
 * the client's state listener.
 */
@ApplicationScoped
public class ExitOnError implements KafkaStreams.StateListener {
    private static final Logger LOG = Logger.getLogger(ExitOnError.class);

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        if (newState == KafkaStreams.State.ERROR) {
            LOG.error("Kafka Streams stopped processing (state ERROR, see above why): exiting so that it is started again");
            Quarkus.asyncExit(70);
        }
    }
}
