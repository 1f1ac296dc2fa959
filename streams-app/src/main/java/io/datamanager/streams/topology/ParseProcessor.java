package io.datamanager.streams.topology;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.debezium.CapturedChange;
import io.datamanager.model.debezium.ColumnTypes;
import io.datamanager.model.debezium.DebeziumEnvelopes;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Normalise: parses each raw Debezium record once into a ChangeEvent keyed by table + canonical primary
 * key, with its position in capture's output for the replay check. A record that is not a Debezium
 * envelope becomes a dead letter; tombstones are skipped.
 */
final class ParseProcessor implements Processor<byte[], byte[], String, Outcome> {
    private final PipelineMetrics metrics;
    private ProcessorContext<String, Outcome> context;

    ParseProcessor(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Outcome> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Optional<CapturedChange> captured;
        try {
            Header types = record.headers().lastHeader(ColumnTypes.HEADER);
            captured = DebeziumEnvelopes.read(record.key(), record.value(), ColumnTypes.fromHeader(types == null ? null : types.value()));
        } catch (RuntimeException e) {
            context.forward(record.withKey((String) null).withValue(DeadLetters.of("parse", e, record.key(), record.value(), context)));
            return;
        }
        if (captured.isPresent()) {
            metrics.processed("parse");
            ChangeEvent event = captured.get().event();
            context.forward(record.withKey(event.key()).withValue(new Outcome.Passed(event, captured.get().position())));
        }
    }
}
