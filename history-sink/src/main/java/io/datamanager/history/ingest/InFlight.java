package io.datamanager.history.ingest;

import io.datamanager.history.store.ContextRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecords;

/**
 * A poll whose versions the writers are storing while the ingest thread polls and parses the next one: its records
 * (to rewind to, and whose offsets to commit once stored), the writers' stores of its parts, and its dm.context
 * messages, stored after its versions.
 */
record InFlight(ConsumerRecords<byte[], byte[]> records, List<Future<ChangesPart.Stored>> stores, List<ContextRecord> context) {

    /** What each part stored, in order, once every part ended; the first failure when one failed. */
    List<ChangesPart.Stored> await() throws Exception {
        List<ChangesPart.Stored> results = new ArrayList<>();
        Exception failure = null;
        for (Future<ChangesPart.Stored> store : stores) {
            try {
                results.add(store.get());
            } catch (ExecutionException e) {
                failure = failure != null ? failure : e.getCause() instanceof Exception ex ? ex : e;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    /** Waits until no part is being stored any more, whatever the outcome (before the batch is read again, or the partitions go). */
    void settle() {
        boolean interrupted = false;
        for (Future<ChangesPart.Stored> store : stores) {
            while (true) {
                try {
                    store.get();
                    break;
                } catch (ExecutionException e) {
                    break; // its failure is await's to report
                } catch (InterruptedException e) {
                    interrupted = true; // a store cannot be abandoned halfway: wait on, then keep the interrupt
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
