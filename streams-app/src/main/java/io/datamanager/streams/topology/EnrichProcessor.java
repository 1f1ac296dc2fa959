package io.datamanager.streams.topology;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Drop capture's replays and fill before-images. A change capture sent again is recognised by its position
 * in its input partition ({@link ReplayGuard}), whatever happened to its row since, and dropped, so
 * capture's at-least-once delivery does not double versions downstream. Every other change is completed from
 * the last state of its row ({@link BeforeImages}), kept in a persistent, changelogged store fed by snapshot
 * reads and every change; deletes free it.
 */
final class EnrichProcessor implements Processor<String, Outcome, String, Outcome> {
    static final String STORE = "dm-last-state";
    private final PipelineMetrics metrics;
    private ProcessorContext<String, Outcome> context;
    private KeyValueStore<String, byte[]> states;
    private ReplayGuard replays;

    EnrichProcessor(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Outcome> context) {
        this.context = context;
        this.states = context.getStateStore(STORE);
        this.replays = new ReplayGuard(context.getStateStore(ReplayGuard.POSITIONS), context.getStateStore(ReplayGuard.SNAPSHOT_READS));
    }

    @Override
    public void process(Record<String, Outcome> record) {
        if (!(record.value() instanceof Outcome.Passed passed)) {
            context.forward(record);
            return;
        }
        ChangeEvent event = passed.event();
        if (replays.isReplay(inputPartition(), event, passed.position())) {
            metrics.replayDropped();
            return;
        }
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
        metrics.processed("enrich");
        context.forward(record.withValue(new Outcome.Passed(result.emit())));
    }

    /** {@code dm.cdc.<table>|<partition>}: where the record was read, which orders capture's output. */
    private String inputPartition() {
        RecordMetadata source = context.recordMetadata().orElseThrow(() -> new IllegalStateException("enrich runs on source records"));
        return source.topic() + '|' + source.partition();
    }
}
