package io.datamanager.history.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ExactJson;
import io.datamanager.model.Input;
import io.datamanager.model.Lsn;
import io.datamanager.model.ValidationException;
import java.time.Instant;

/**
 * One record of the {@code dm.context} topic (version 1, written by the streams-app): a {@code dm.context} logical
 * decoding message of source transaction {@code txId} at WAL position {@code lsn}. Read here once; a record that is
 * not one, or holds what PostgreSQL's jsonb cannot store, is refused with the reason (the ingest dead-letters it).
 *
 * @param commitTs the transaction's commit time, when the record carries it
 */
public record ContextRecord(long txId, Lsn lsn, Instant commitTs, ObjectNode context) {

    public static ContextRecord parse(byte[] value) {
        if (value == null) {
            throw new ValidationException("value", "a dm.context record has no value");
        }
        JsonNode tree = ExactJson.tree(value, "dm.context record");
        if (!tree.isObject()) {
            throw new ValidationException("dm.context record", "must be a JSON object");
        }
        JsonNode v = tree.get("v");
        if (v == null || !v.isIntegralNumber() || v.asLong() != 1) {
            throw new ValidationException("v", "must be 1 (the dm.context record version this history-sink reads), was " + v);
        }
        JsonNode txId = tree.get("txId");
        if (txId == null || !txId.isIntegralNumber() || !txId.canConvertToLong() || txId.asLong() < 0) {
            throw new ValidationException("txId", "must be the source transaction id (a whole number, 0 or more), was " + txId);
        }
        JsonNode lsn = tree.get("lsn");
        Lsn at = Lsn.parse(lsn == null || !lsn.isTextual() ? null : lsn.asText(), "lsn");
        JsonNode commit = tree.get("commitTs");
        Instant commitTs = commit == null || commit.isNull() ? null : Input.instant("commitTs", commit.asText());
        JsonNode context = tree.get("context");
        if (context == null || !context.isObject()) {
            throw new ValidationException("context", "must be a JSON object, was " + (context == null ? "missing" : context.getNodeType()));
        }
        JsonbValues.check("context", context, true);
        return new ContextRecord(txId.asLong(), at, commitTs, (ObjectNode) context);
    }
}
