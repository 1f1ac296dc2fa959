package io.datamanager.streams.topology;

import io.datamanager.model.ValidationException;
import io.datamanager.model.subscription.Subscription;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link RuleIndex} equal to the compacted {@code dm.rules} topic: a record adds or replaces a
 * subscription, a tombstone removes it, effective for the next change processed. A record that is not a
 * valid subscription goes to the dead-letter topic, and the subscription it named stops matching (its
 * owner replaced it, so the old rule no longer says what they want).
 */
final class RulesProcessor implements Processor<String, byte[], Void, Void> {
    static final String STORE = "dm-rules";
    private static final Logger LOG = LoggerFactory.getLogger(RulesProcessor.class);

    private final RuleIndex index;
    private final DeadLetterSink deadLetters;
    private final PipelineMetrics metrics;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, byte[]> store;

    RulesProcessor(RuleIndex index, DeadLetterSink deadLetters, PipelineMetrics metrics) {
        this.index = index;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            all.forEachRemaining(entry -> index.put(Subscription.fromJson(entry.value)));
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String id = record.key();
        if (record.value() == null) {
            store.delete(id);
            index.remove(id);
            LOG.info("subscription {} removed", id);
            return;
        }
        try {
            Subscription subscription = Subscription.fromJson(record.value());
            if (!subscription.id().equals(id)) {
                throw new ValidationException("id", "'" + subscription.id() + "' differs from the record key '" + id + "'");
            }
            store.put(id, record.value());
            index.put(subscription);
            metrics.processed("rules");
            LOG.info("subscription {} on {} applied", id, subscription.table());
        } catch (RuntimeException e) {
            if (id != null) {
                store.delete(id);
                index.remove(id);
            }
            metrics.deadLettered("rules");
            deadLetters.send(DeadLetters.of("rules", e, id, record.value(), context));
        }
    }
}
