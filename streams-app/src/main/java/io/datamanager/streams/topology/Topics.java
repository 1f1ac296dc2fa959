package io.datamanager.streams.topology;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.TopicNames;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serdes;

/** The topics of the streams-app (contract: ARCHITECTURE.md, "Topics"), for one prefix. */
public record Topics(TopicNames names) {
    public static Topics withPrefix(String prefix) {
        return new Topics(new TopicNames(prefix));
    }

    /**
     * Raw Debezium topics {@code dm.cdc.<schema>.<table>}; new ones are picked up without a restart. Debezium's message
     * topic {@code dm.cdc.message} is left out: its records are no row changes (see {@link #cdcMessages()}).
     */
    public Pattern cdc() {
        return Pattern.compile("(?!" + Pattern.quote(names.cdcMessages()) + "$)" + names.cdcPattern());
    }

    /** {@code dm.cdc.message}: Debezium's logical decoding messages, the {@code dm.context} prefix only. */
    public String cdcMessages() {
        return names.cdcMessages();
    }

    /** {@code dm.context}: one record per valid context message, key = txId, value = TransactionContext JSON. */
    public Topic<String, byte[]> context() {
        return new Topic<>(names.context(), Serdes.String(), Serdes.ByteArray());
    }

    public Topic<String, ChangeEvent> changes() {
        return new Topic<>(names.changes(), Serdes.String(), new ChangeEventSerde());
    }

    /** Subscriptions: key = id, value = Subscription JSON, tombstone = deleted (compacted). */
    public Topic<String, byte[]> rules() {
        return new Topic<>(names.rules(), Serdes.String(), Serdes.ByteArray());
    }

    public Topic<String, ChangeEvent> subscription(String id) {
        return new Topic<>(names.subscription(id), Serdes.String(), new ChangeEventSerde());
    }

    /** The headers of a {@code dm.dlq} record: stage, error, source topic, partition and offset. */
    public static org.apache.kafka.common.header.internals.RecordHeaders deadLetterHeaders(Outcome.DeadLetter letter) {
        return DeadLetters.headers(letter);
    }

    public Topic<byte[], byte[]> dlq() {
        return new Topic<>(names.dlq(), Serdes.ByteArray(), Serdes.ByteArray());
    }
}
