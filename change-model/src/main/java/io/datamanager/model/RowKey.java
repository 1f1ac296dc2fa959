package io.datamanager.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The identity of a row across the pipeline: its table plus its primary key in a canonical form (columns
 * sorted by name, compact JSON), so the same row always gets the same Kafka key and so lands in the same
 * partition, which keeps per-row order.
 */
public final class RowKey {
    private RowKey() {}

    /** {@code public.orders{"id":42}}: the Kafka key of {@code dm.changes} and {@code dm.sub.*}. */
    public static String of(String table, ObjectNode pk) {
        return table + canonical(pk);
    }

    /** Compact JSON of the key columns, sorted by column name. */
    public static String canonical(ObjectNode pk) {
        List<String> names = new ArrayList<>();
        pk.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        ObjectNode sorted = pk.objectNode();
        for (String name : names) {
            sorted.set(name, pk.get(name));
        }
        return sorted.toString();
    }

    /**
     * The deterministic event id: the same table, primary key and LSN give the same id on every replay, so
     * every consumer can deduplicate by it (128 bits of SHA-256, hex).
     */
    public static String eventId(String table, ObjectNode pk, Lsn lsn) {
        String material = table + '\u0000' + canonical(pk) + '\u0000' + lsn;
        byte[] digest = SHA_256.get().digest(material.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, 16);
    }

    /** One digest per thread: looking SHA-256 up among the security providers for every event cost more than hashing. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    });
}
