package io.datamanager.streams.topology;

import io.datamanager.model.ChangeEvent;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** ChangeEvent JSON (contract version 1). */
public final class ChangeEventSerde implements Serde<ChangeEvent> {
    @Override
    public Serializer<ChangeEvent> serializer() {
        return (topic, event) -> event == null ? null : event.toJson();
    }

    @Override
    public Deserializer<ChangeEvent> deserializer() {
        return (topic, bytes) -> bytes == null ? null : ChangeEvent.fromJson(bytes);
    }
}
