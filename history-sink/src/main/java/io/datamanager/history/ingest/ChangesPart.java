package io.datamanager.history.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.history.store.IngestOffset;
import io.datamanager.history.store.Policy;
import io.datamanager.history.store.PolicyStore;
import io.datamanager.history.store.Redaction;
import io.datamanager.history.store.VersionRow;
import io.datamanager.history.store.VersionStore;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.debezium.ColumnTypes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The records one poll read of some partitions of {@code dm.changes}, stored with those partitions' offsets in one
 * transaction on a writer thread. A partition is whole in one part, in its order. Its records were parsed before
 * ({@link #parse}, on any thread: parsing is most of an ingest's CPU, and one poll often holds a single partition).
 */
final class ChangesPart {
    /** What a stored part held: its versions, and the dm.types header text it stored per table. */
    record Stored(int versions, Map<String, String> types) {}

    /**
     * A record of dm.changes made ready to store: its version (redacted) with its COPY line; neither for a table not
     * tracked; the error when it is not a ChangeEvent.
     */
    record Parsed(ConsumerRecord<byte[], byte[]> record, VersionRow row, RuntimeException error) {}

    private final List<Parsed> records = new ArrayList<>();
    private final List<IngestOffset> offsets = new ArrayList<>();

    /**
     * Parses, and redacts by its table's policy, one record; thread-safe. Read straight into its line when it can be
     * ({@link VersionRow#direct}), as a {@link ChangeEvent} when it cannot or its table redacts columns.
     */
    static Parsed parse(ConsumerRecord<byte[], byte[]> record, PolicyStore policies, Redaction redaction) {
        VersionRow direct = VersionRow.direct(record.value());
        if (direct != null) {
            Policy policy = policies.get(direct.table());
            if (!policy.tracking()) {
                return new Parsed(record, null, null);
            }
            if (policy.redactedColumns().isEmpty()) {
                return new Parsed(record, direct, null);
            }
        }
        ChangeEvent event;
        try {
            event = ChangeEvent.fromJson(record.value());
        } catch (RuntimeException e) {
            return new Parsed(record, null, e);
        }
        Policy policy = policies.get(event.table());
        if (!policy.tracking()) {
            return new Parsed(record, null, null);
        }
        if (!policy.redactedColumns().isEmpty()) {
            event = redact(redaction, event, policy);
        }
        return new Parsed(record, VersionRow.of(event), null);
    }

    /** Adds a partition's records of the poll (in their order) and the offsets they cover. */
    void add(List<Parsed> partition) {
        ConsumerRecord<byte[], byte[]> first = partition.get(0).record();
        records.addAll(partition);
        offsets.add(new IngestOffset(first.topic(), first.partition(), first.offset(), partition.get(partition.size() - 1).record().offset() + 1));
    }

    int size() {
        return records.size();
    }

    /**
     * Stores the part: a record that is not a ChangeEvent is dead-lettered first (before the offsets that pass it are
     * stored); an untracked table's records are skipped, their offsets counted. A table's dm.types header is parsed and
     * stored only when its text differs from the one {@code knownTypes} last stored (read here, changed only by the
     * ingest thread between batches).
     */
    Stored store(VersionStore versions, Map<String, String> knownTypes, BiConsumer<ConsumerRecord<byte[], byte[]>, Exception> deadLetter)
            throws Exception {
        List<VersionRow> rows = new ArrayList<>(records.size());
        Map<String, ObjectNode> newTypes = new HashMap<>();
        Map<String, String> newText = new HashMap<>();
        for (Parsed parsed : records) {
            if (parsed.error() != null) {
                deadLetter.accept(parsed.record(), parsed.error());
                continue;
            }
            if (parsed.row() == null) {
                continue;
            }
            rows.add(parsed.row());
            String table = parsed.row().table();
            Header header = parsed.record().headers().lastHeader(ColumnTypes.HEADER);
            if (header != null) {
                String text = new String(header.value(), StandardCharsets.UTF_8);
                if (!text.isBlank() && !text.equals(newText.getOrDefault(table, knownTypes.get(table)))) {
                    newTypes.put(table, Json.mapper().valueToTree(ColumnTypes.fromHeader(header.value()).descriptors()));
                    newText.put(table, text);
                }
            }
        }
        versions.insertRows(rows, newTypes, offsets);
        return new Stored(rows.size(), newText);
    }

    private static ChangeEvent redact(Redaction redaction, ChangeEvent e, Policy policy) {
        ObjectNode before = e.before();
        ObjectNode after = e.after();
        redaction.apply(e.table(), before, policy.redactedColumns());
        redaction.apply(e.table(), after, policy.redactedColumns());
        return e.withImages(before, after, e.changed(), e.missing());
    }
}
