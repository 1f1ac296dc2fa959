package io.datamanager.streams.topology;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.datamanager.model.ExactJson;
import io.datamanager.model.Json;
import java.util.List;

/**
 * The last known image of a row and the LSN of the change that produced it: the last-state store's value.
 * Replays are recognised without it ({@link ReplayGuard}); the LSN says where the image comes from.
 *
 * @param jsonNulls the columns of {@code row} that hold the JSON value null of a json/jsonb column, not SQL NULL
 *     (in the image both are JSON null); omitted when none, so state stored before it existed reads as none
 */
record RowState(String lsn, @JsonDeserialize(using = ExactJson.Objects.class) ObjectNode row,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> jsonNulls) {
    RowState {
        jsonNulls = jsonNulls == null ? List.of() : List.copyOf(jsonNulls);
    }

    RowState(String lsn, ObjectNode row) {
        this(lsn, row, List.of());
    }

    byte[] toBytes() {
        return Json.toBytes(this);
    }

    static RowState fromBytes(byte[] bytes) {
        return bytes == null ? null : Json.read(bytes, RowState.class);
    }
}
