package io.datamanager.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One {@code dm.context} message of a source transaction, the value of a record on topic {@code dm.context} (contract:
 * README, application context; key = {@code txId} as decimal text). Written by the streams-app for every valid message;
 * a transaction may have several, which readers merge in {@code lsn} order, the later key winning.
 *
 * @param v format version, always 1
 * @param txId the source transaction
 * @param lsn the message's position in the WAL
 * @param commitTs commit time of the transaction
 * @param context the message's JSON object
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"v", "txId", "lsn", "commitTs", "context"})
public record TransactionContext(int v, long txId, String lsn, Instant commitTs,
        @JsonDeserialize(using = ExactJson.Objects.class) ObjectNode context) {
    public static final int VERSION = 1;

    public TransactionContext {
        if (v != VERSION) {
            throw new ValidationException("v", "must be " + VERSION + ", was " + v);
        }
        Lsn.parse(lsn, "lsn");
        if (commitTs == null) {
            throw new ValidationException("commitTs", "is required");
        }
        if (context == null) {
            throw new ValidationException("context", "is required: a JSON object");
        }
        context = context.deepCopy();
    }

    /** The record key on {@code dm.context}. */
    public String key() {
        return Long.toString(txId);
    }

    public byte[] toJson() {
        return Json.toBytes(this);
    }

    public static TransactionContext fromJson(byte[] json) {
        return Json.read(json, TransactionContext.class);
    }
}
