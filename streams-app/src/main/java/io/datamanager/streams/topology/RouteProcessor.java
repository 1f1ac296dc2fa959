package io.datamanager.streams.topology;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.subscription.SubscriptionMatcher;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Filter and route: emits a change once per subscription of its table that it matches, shaped by the
 * subscription's payload, with the header {@value #SUBSCRIPTION} naming where it goes. A rule that fails
 * on a change sends that pair to the dead-letter topic; the other subscriptions still get theirs.
 */
final class RouteProcessor implements Processor<String, ChangeEvent, String, Outcome> {
    static final String SUBSCRIPTION = "dm.subscription";
    private final RuleIndex rules;
    private final PipelineMetrics metrics;
    private ProcessorContext<String, Outcome> context;

    RouteProcessor(RuleIndex rules, PipelineMetrics metrics) {
        this.rules = rules;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Outcome> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, ChangeEvent> record) {
        ChangeEvent event = record.value();
        for (SubscriptionMatcher matcher : rules.forTable(event.table())) {
            String id = matcher.subscription().id();
            try {
                if (matcher.matches(event)) {
                    RecordHeaders headers = new RecordHeaders();
                    headers.add(SUBSCRIPTION, id.getBytes(StandardCharsets.UTF_8));
                    context.forward(new Record<String, Outcome>(record.key(), new Outcome.Passed(matcher.shape(event)),
                            record.timestamp(), headers));
                    metrics.processed("route");
                }
            } catch (RuntimeException e) {
                var failure = new IllegalStateException("subscription " + id + " cannot be applied: " + e.getMessage(), e);
                context.forward(record.withValue((Outcome) DeadLetters.of("route", failure, record.key(), Json.toBytes(event), context)));
            }
        }
    }
}
