package io.datamanager.streams.topology;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.debezium.CapturedChange;
import io.datamanager.model.debezium.ColumnTypes;
import io.datamanager.model.debezium.DebeziumEnvelopes;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
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
    /** Column types by header bytes: a table's header repeats on every record, so it is parsed once, not per record. */
    private static final int TYPES_CACHED = 256;
    private final PipelineMetrics metrics;
    private final ContextCheck contextCheck;
    private final Map<ByteBuffer, ColumnTypes> types = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, ColumnTypes> eldest) {
            return size() > TYPES_CACHED;
        }
    };
    private ProcessorContext<String, Outcome> context;

    ParseProcessor(PipelineMetrics metrics) {
        this(metrics, new ContextCheck(ContextCheck.DEFAULT_MAX_BYTES));
    }

    ParseProcessor(PipelineMetrics metrics, ContextCheck contextCheck) {
        this.metrics = metrics;
        this.contextCheck = contextCheck;
    }

    @Override
    public void init(ProcessorContext<String, Outcome> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Optional<CapturedChange> captured;
        try {
            Header header = record.headers().lastHeader(ColumnTypes.HEADER);
            captured = DebeziumEnvelopes.read(record.key(), record.value(), columnTypes(header == null ? null : header.value()));
        } catch (RuntimeException e) {
            context.forward(record.withKey((String) null).withValue(DeadLetters.of("parse", e, record.key(), record.value(), context)));
            return;
        }
        if (captured.isPresent()) {
            metrics.processed("parse");
            ChangeEvent event = withContext(captured.get().event(), record.headers().lastHeader(ContextCheck.HEADER));
            context.forward(record.withKey(event.key()).withValue(new Outcome.Passed(event, captured.get().position())));
        }
    }

    /** The change with its transaction's context from capture's header; a refused context is dropped, the change goes on. */
    private ChangeEvent withContext(ChangeEvent event, Header header) {
        if (header == null) {
            return event;
        }
        try {
            return event.withContext(contextCheck.header(header.value()));
        } catch (ContextCheck.Rejected e) {
            metrics.contextRejected(e.reason().wireName());
            return event;
        }
    }

    private ColumnTypes columnTypes(byte[] header) {
        if (header == null || header.length == 0) {
            return ColumnTypes.UNKNOWN;
        }
        ByteBuffer bytes = ByteBuffer.wrap(header);
        ColumnTypes known = types.get(bytes);
        if (known == null) {
            known = ColumnTypes.fromHeader(header); // throws on a malformed header, which is then not cached
            types.put(bytes, known);
        }
        return known;
    }
}
