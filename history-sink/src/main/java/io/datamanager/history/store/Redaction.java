package io.datamanager.history.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Redacted columns are never stored in clear: their value becomes {@code "redacted:<hash>"}, an HMAC of
 * table, column and value, so equal values keep equal hashes and an equality search still finds them.
 */
public final class Redaction {
    /** A policy's {@code redactedColumns} entry {@code context.<key>} names a key of the application context. */
    public static final String CONTEXT_PREFIX = "context.";
    private final byte[] key;

    public Redaction(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    public String hash(String table, String column, JsonNode value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] digest = mac.doFinal((table + '.' + column + '=' + canonical(value)).getBytes(StandardCharsets.UTF_8));
            return "redacted:" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Replaces the redacted columns of an image in place; nulls stay null. */
    public void apply(String table, ObjectNode image, Collection<String> columns) {
        if (image == null) {
            return;
        }
        for (String column : columns) {
            JsonNode value = image.get(column);
            if (value != null && !value.isNull()) {
                image.put(column, hash(table, column, value));
            }
        }
    }

    /**
     * The hash a redacted context key's value is stored as. Context belongs to a transaction, not to a table, so the
     * hash names no table: equal values of the key hash alike whichever tables the transaction touched.
     */
    public String hashContext(String key, JsonNode value) {
        return hash("", CONTEXT_PREFIX + key, value);
    }

    /** Replaces the values of the named keys of a transaction's context in place; nulls stay null. */
    public void applyContext(ObjectNode context, Collection<String> keys) {
        for (String key : keys) {
            JsonNode value = context.get(key);
            if (value != null && !value.isNull()) {
                context.put(key, hashContext(key, value));
            }
        }
    }

    private static String canonical(JsonNode value) {
        return value.isTextual() ? value.asText() : value.toString();
    }
}
