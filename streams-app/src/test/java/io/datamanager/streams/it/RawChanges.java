package io.datamanager.streams.it;

import io.datamanager.model.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Counts on raw {@code dm.cdc.*} records: a replay of capture repeats a row's key with the same LSN. */
final class RawChanges {
    private RawChanges() {}

    /** How many different changes the records hold. */
    static long distinct(List<ConsumerRecord<byte[], byte[]>> raw) {
        return raw.stream().map(RawChanges::change).distinct().count();
    }

    /** Changes that came again with another {@code source.sequence} than the first time. */
    static long movedReplays(List<ConsumerRecord<byte[], byte[]>> raw) {
        return raw.stream().collect(Collectors.groupingBy(RawChanges::change, Collectors.mapping(RawChanges::sequence, Collectors.toSet())))
                .values().stream().filter(sequences -> sequences.size() > 1).count();
    }

    /** The last {@code n} records of every partition, in order. */
    static List<ConsumerRecord<byte[], byte[]>> tails(List<ConsumerRecord<byte[], byte[]>> raw, int n) {
        return raw.stream().collect(Collectors.groupingBy(ConsumerRecord::partition)).values().stream()
                .flatMap(records -> records.subList(Math.max(0, records.size() - n), records.size()).stream()).toList();
    }

    private static String change(ConsumerRecord<byte[], byte[]> r) {
        return new String(r.key(), StandardCharsets.UTF_8) + "@" + Json.tree(r.value(), "value").path("source").path("lsn").asLong();
    }

    private static String sequence(ConsumerRecord<byte[], byte[]> r) {
        return Json.tree(r.value(), "value").path("source").path("sequence").asText();
    }
}
