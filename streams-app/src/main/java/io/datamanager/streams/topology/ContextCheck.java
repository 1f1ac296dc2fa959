package io.datamanager.streams.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ExactJson;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.TransactionContext;
import io.datamanager.model.ValidationException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Validates application context, the one rule for both ways it arrives: the {@value #HEADER} header that capture puts on
 * the changes of a transaction, and the {@code dm.context} logical decoding messages on Debezium's message topic. A
 * context is a JSON object of at most {@code maxBytes} bytes (UTF-8, as written).
 */
public final class ContextCheck {
    /** Must equal connector-config's {@code TransactionContextHeader.HEADER}. */
    public static final String HEADER = "dm.context";
    /** The logical decoding message prefix of application context. */
    public static final String PREFIX = "dm.context";
    public static final int DEFAULT_MAX_BYTES = 4096;

    /** Why a context was refused; the wire name is the {@code reason} tag of {@code dm_streams_context_rejected_total}. */
    public enum Reason {
        NOT_JSON, NOT_AN_OBJECT, TOO_LARGE, NO_TX_ID, NOT_A_CONTEXT_MESSAGE;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A refused context, with its reason. */
    public static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final Reason reason;

        Rejected(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    private final int maxBytes;

    public ContextCheck(int maxBytes) {
        if (maxBytes < 2) {
            throw new IllegalArgumentException("the context limit must allow at least {}, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    public int maxBytes() {
        return maxBytes;
    }

    /**
     * The context of a change from its header value: the JSON object, or a JSON string holding it (Debezium Server's JSON
     * header format wraps string headers so).
     */
    public ObjectNode header(byte[] value) {
        if (value != null && value.length > 0 && value[0] == '"') {
            JsonNode text = tree(value);
            if (text.isTextual()) {
                value = text.asText().getBytes(StandardCharsets.UTF_8);
            }
        }
        return object(value);
    }

    /** A context as written: at most {@code maxBytes}, JSON, an object. */
    public ObjectNode object(byte[] json) {
        if (json == null || json.length == 0) {
            throw new Rejected(Reason.NOT_JSON, "the context is empty: a JSON object is required");
        }
        if (json.length > maxBytes) {
            throw new Rejected(Reason.TOO_LARGE, "the context has " + json.length + " bytes, more than the limit of " + maxBytes
                    + " (DM_CONTEXT_MAX_BYTES)");
        }
        JsonNode node = tree(json);
        if (!node.isObject()) {
            throw new Rejected(Reason.NOT_AN_OBJECT, "the context must be a JSON object, was a JSON " + node.getNodeType()
                    .name().toLowerCase(java.util.Locale.ROOT));
        }
        return (ObjectNode) node;
    }

    /**
     * A record of Debezium's message topic as a {@code dm.context} record: the envelope must be a transactional
     * {@code dm.context} message, its content a valid context.
     *
     * @throws Rejected for a message whose context is refused, or that is not a transactional dm.context message
     * @throws ValidationException when the record is not a Debezium message envelope at all
     */
    public TransactionContext message(byte[] value) {
        JsonNode envelope = Json.tree(value, "value");
        JsonNode message = envelope.path("message");
        JsonNode source = envelope.path("source");
        if (!PREFIX.equals(message.path("prefix").asText(null))) {
            throw new Rejected(Reason.NOT_A_CONTEXT_MESSAGE, "not a " + PREFIX + " logical decoding message (prefix '"
                    + message.path("prefix").asText(null) + "')");
        }
        if (!source.path("txId").canConvertToLong() || source.path("txId").isNull()) {
            throw new Rejected(Reason.NO_TX_ID, "the " + PREFIX + " message has no transaction id: send it with "
                    + "pg_logical_emit_message(true, ...), inside the transaction it describes");
        }
        if (!source.path("lsn").canConvertToLong()) {
            throw new ValidationException("source.lsn", "is required in a Debezium message envelope");
        }
        byte[] content;
        try {
            content = message.path("content").isTextual() ? Base64.getDecoder().decode(message.path("content").asText()) : null;
        } catch (IllegalArgumentException e) {
            throw new ValidationException("message.content", "is not base64", e);
        }
        ObjectNode context = object(content);
        return new TransactionContext(TransactionContext.VERSION, source.get("txId").asLong(),
                new Lsn(source.get("lsn").asLong()).toString(), commitTs(source), context);
    }

    private static Instant commitTs(JsonNode source) {
        if (source.path("ts_us").canConvertToLong()) {
            long us = source.get("ts_us").asLong();
            return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1_000L);
        }
        if (source.path("ts_ms").canConvertToLong()) {
            return Instant.ofEpochMilli(source.get("ts_ms").asLong());
        }
        throw new ValidationException("source.ts_ms", "is required in a Debezium message envelope");
    }

    private static JsonNode tree(byte[] json) {
        try {
            JsonNode node = ExactJson.tree(json, "context");
            if (node == null || node.isMissingNode()) {
                throw new Rejected(Reason.NOT_JSON, "the context is not JSON");
            }
            return node;
        } catch (ValidationException e) {
            throw new Rejected(Reason.NOT_JSON, "the context is not JSON: " + e.getMessage());
        }
    }
}
