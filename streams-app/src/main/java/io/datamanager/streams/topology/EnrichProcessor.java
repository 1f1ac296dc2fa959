package io.datamanager.streams.topology;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Fill before-images: keeps the last state of every row (fed by snapshot reads and every change; deletes
 * free it) in a persistent, changelogged store, and completes each change from it ({@link BeforeImages}).
 * Replays (a change not newer than the row's state) are dropped, so capture's at-least-once delivery does
 * not double versions downstream.
 */
final class EnrichProcessor implements Processor<String, Outcome, String, Outcome> {
    static final String STORE = "dm-last-state";
    private final PipelineMetrics metrics;
    private ProcessorContext<String, Outcome> context;
    private KeyValueStore<String, byte[]> states;

    EnrichProcessor(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Outcome> context) {
        this.context = context;
        this.states = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, Outcome> record) {
        if (!(record.value() instanceof Outcome.Passed passed)) {
            context.forward(record);
            return;
        }
        ChangeEvent event = passed.event();
        BeforeImages.Result result;
        try {
            result = BeforeImages.apply(event, RowState.fromBytes(states.get(record.key())));
        } catch (RuntimeException e) {
            context.forward(record.withValue(DeadLetters.of("enrich", e, record.key(), Json.toBytes(event), context)));
            return;
        }
        if (result.deleteState()) {
            states.delete(record.key());
        } else if (result.state() != null) {
            states.put(record.key(), result.state().toBytes());
        }
        if (result.emit() == null) {
            metrics.replayDropped();
            return;
        }
        metrics.processed("enrich");
        context.forward(record.withValue(new Outcome.Passed(result.emit())));
    }
}
