package io.datamanager.streams.topology;

import io.datamanager.model.ChangeEvent;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * ChangeEvent JSON (contract version 1). A change goes out to {@code dm.changes} and then, unchanged (payload
 * {@code full}), to every {@code dm.sub.<id>} it matches: the serializer keeps the last event it wrote per thread
 * and gives the same bytes for the same instance again instead of writing the JSON once per topic.
 */
public final class ChangeEventSerde implements Serde<ChangeEvent> {
    private static final ThreadLocal<Written> LAST = new ThreadLocal<>();

    private record Written(ChangeEvent event, byte[] json) {}

    @Override
    public Serializer<ChangeEvent> serializer() {
        return (topic, event) -> event == null ? null : json(event);
    }

    @Override
    public Deserializer<ChangeEvent> deserializer() {
        return (topic, bytes) -> bytes == null ? null : ChangeEvent.fromJson(bytes);
    }

    private static byte[] json(ChangeEvent event) {
        Written last = LAST.get();
        if (last != null && last.event() == event) {
            return last.json();
        }
        byte[] json = event.toJson();
        LAST.set(new Written(event, json));
        return json;
    }
}
