package io.datamanager.streams.topology;

import io.datamanager.model.TransactionContext;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Turns each record of Debezium's message topic into a {@code dm.context} record (key = txId, value =
 * {@link TransactionContext} JSON), or into a dead letter saying why not (stage {@code context}): not JSON, not an object,
 * too large, no transaction id. Tombstones are skipped.
 */
final class ContextProcessor implements Processor<byte[], byte[], String, Object> {
    static final String STAGE = "context";
    private final ContextCheck check;
    private final PipelineMetrics metrics;
    private ProcessorContext<String, Object> context;

    ContextProcessor(ContextCheck check, PipelineMetrics metrics) {
        this.check = check;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        TransactionContext message;
        try {
            message = check.message(record.value());
        } catch (ContextCheck.Rejected e) {
            metrics.contextRejected(e.reason().wireName());
            context.forward(new Record<>((String) null, (Object) DeadLetters.of(STAGE, e, record.key(), record.value(), context),
                    record.timestamp()));
            return;
        } catch (RuntimeException e) {
            context.forward(new Record<>((String) null, (Object) DeadLetters.of(STAGE, e, record.key(), record.value(), context),
                    record.timestamp()));
            return;
        }
        metrics.processed(STAGE);
        context.forward(new Record<>(message.key(), (Object) message.toJson(), record.timestamp(), new RecordHeaders()));
    }
}
