package io.datamanager.history.restore;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Moves {@link CompleteThrough} on in the background, so every history answer can say how far it is complete without
 * waiting: each run reads the source's WAL position and clock, and once capture, the streams-app and the ingest are
 * past it (the same check a transaction restore makes, {@link HistoryCompleteness}), that becomes the mark. A run that
 * does not see them past it within a few seconds leaves the mark where it was. One connection to the source, kept.
 */
@ApplicationScoped
public class CompletenessWatch {
    private static final Logger LOG = Logger.getLogger(CompletenessWatch.class);
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final SourceDatabase source;
    private final HistoryCompleteness completeness;
    private final CompleteThrough through;
    private Connection connection;

    CompletenessWatch(SourceDatabase source, HistoryCompleteness completeness, CompleteThrough through) {
        this.source = source;
        this.completeness = completeness;
        this.through = through;
    }

    @Scheduled(every = "${dm.history.complete-check-interval:1s}", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void check() {
        if (!source.configured()) {
            return;
        }
        try {
            if (connection == null || connection.isClosed()) {
                connection = source.connect("completeness");
                connection.setAutoCommit(true);
            }
            through.advance(completeness.await(connection, WAIT));
        } catch (RestoreRefused behind) {
            LOG.debugf("history not complete to the source's position yet: %s", behind.getMessage());
        } catch (SQLException | RuntimeException e) {
            LOG.debug("completeness check failed; the next run tries again", e);
            close();
        }
    }

    @jakarta.annotation.PreDestroy
    synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken connection: nothing more to do
            }
            connection = null;
        }
    }
}
