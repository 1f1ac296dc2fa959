package io.datamanager.streams.topology;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.datamanager.model.ExactJson;
import io.datamanager.model.Json;

/**
 * The last known image of a row and the LSN of the change that produced it: the last-state store's value.
 * Replays are recognised without it ({@link ReplayGuard}); the LSN says where the image comes from.
 */
record RowState(String lsn, @JsonDeserialize(using = ExactJson.Objects.class) ObjectNode row) {
    byte[] toBytes() {
        return Json.toBytes(this);
    }

    static RowState fromBytes(byte[] bytes) {
        return bytes == null ? null : Json.read(bytes, RowState.class);
    }
}
