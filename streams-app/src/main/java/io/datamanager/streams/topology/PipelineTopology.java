package io.datamanager.streams.topology;

import io.datamanager.model.ChangeEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.Stores;

/**
 * The streams-app as a pure function of its inputs:
 * {@code dm.cdc.*} → parse → drop capture's replays (positions store) and fill before-images (last-state
 * store) → {@code dm.changes} → match rules
 * ({@code dm.rules}, global) → {@code dm.sub.<id>}; whatever a stage cannot handle → {@code dm.dlq}. Application
 * context: the {@code dm.context} header of a raw change becomes {@link ChangeEvent#context()}, and each
 * {@code dm.context} message of {@code dm.cdc.message} one record of {@code dm.context}.
 * Per-row order holds end to end: a row's raw records share a partition (same Debezium key), so one task
 * sees them in order, and the outputs are keyed by the row.
 */
public final class PipelineTopology {
    private PipelineTopology() {}

    public static Topology build(StreamsBuilder builder, Topics topics, PipelineMetrics metrics, DeadLetterSink ruleDeadLetters) {
        return build(builder, topics, metrics, ruleDeadLetters, new ContextCheck(ContextCheck.DEFAULT_MAX_BYTES));
    }

    public static Topology build(StreamsBuilder builder, Topics topics, PipelineMetrics metrics, DeadLetterSink ruleDeadLetters,
            ContextCheck contextCheck) {
        RuleIndex rules = new RuleIndex();
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RulesProcessor.STORE), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled(),
                topics.rules().name(),
                Consumed.with(topics.rules().keySerde(), topics.rules().valueSerde()).withName("rules"),
                () -> new RulesProcessor(rules, ruleDeadLetters, metrics));
        // cached: the stores' writes reach RocksDB and their changelogs once per key and commit, not once per change (the
        // positions store has one key per input partition, so one changelog record a commit instead of one a change). The
        // cache is flushed before each commit, inside the same transaction as the output (exactly_once_v2).
        for (String store : List.of(EnrichProcessor.STORE, ReplayGuard.POSITIONS, ReplayGuard.SNAPSHOT_READS)) {
            builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(), Serdes.ByteArray())
                    .withCachingEnabled());
        }

        KStream<String, Outcome> enriched = builder
                .stream(topics.cdc(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("cdc"))
                .process(() -> new ParseProcessor(metrics, contextCheck), Named.as("parse"))
                .process(() -> new EnrichProcessor(metrics), Named.as("enrich"), EnrichProcessor.STORE, ReplayGuard.POSITIONS,
                        ReplayGuard.SNAPSHOT_READS);
        KStream<String, ChangeEvent> changes = passedOnly(enriched, "enriched", topics, metrics);
        changes.peek((key, event) -> metrics.endToEndLag(Duration.between(event.commitTs(), Instant.now())), Named.as("lag"))
                .to(topics.changes().name(), Produced.with(topics.changes().keySerde(), topics.changes().valueSerde()).withName("changes"));

        KStream<String, Outcome> routed = changes.process(() -> new RouteProcessor(rules, metrics), Named.as("route"));
        TopicNameExtractor<String, ChangeEvent> subscriptionTopic = (key, event, context) ->
                topics.names().subscription(new String(context.headers().lastHeader(RouteProcessor.SUBSCRIPTION).value(),
                        StandardCharsets.UTF_8));
        passedOnly(routed, "routed", topics, metrics)
                .to(subscriptionTopic, Produced.with(Serdes.String(), new ChangeEventSerde()).withName("subscriptions"));

        Map<String, KStream<String, Object>> messages = builder
                .stream(topics.cdcMessages(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("cdc-messages"))
                .process(() -> new ContextProcessor(contextCheck, metrics), Named.as("context"))
                .split(Named.as("context-"))
                .branch((key, value) -> value instanceof Outcome.DeadLetter, Branched.as("dead"))
                .defaultBranch(Branched.as("valid"));
        messages.get("context-dead")
                .mapValues(value -> (Outcome) value, Named.as("context-dead-outcomes"))
                .process(() -> new DeadLetters(metrics), Named.as("context-dead-letters"))
                .to(topics.dlq().name(), Produced.with(topics.dlq().keySerde(), topics.dlq().valueSerde()).withName("context-dlq"));
        messages.get("context-valid")
                .mapValues(value -> (byte[]) value, Named.as("context-records"))
                .to(topics.context().name(), Produced.with(topics.context().keySerde(), topics.context().valueSerde())
                        .withName("context-out"));
        return builder.build();
    }

    /** Sends dead letters to {@code dm.dlq} and returns the changes that passed. */
    private static KStream<String, ChangeEvent> passedOnly(KStream<String, Outcome> stream, String name, Topics topics,
            PipelineMetrics metrics) {
        Map<String, KStream<String, Outcome>> branches = stream.split(Named.as(name + "-"))
                .branch((key, outcome) -> outcome instanceof Outcome.Passed, Branched.as("passed"))
                .defaultBranch(Branched.as("dead"));
        branches.get(name + "-dead")
                .process(() -> new DeadLetters(metrics), Named.as(name + "-dead-letters"))
                .to(topics.dlq().name(), Produced.with(topics.dlq().keySerde(), topics.dlq().valueSerde()).withName(name + "-dlq"));
        return branches.get(name + "-passed").mapValues(outcome -> ((Outcome.Passed) outcome).event(), Named.as(name + "-events"));
    }
}
