package io.datamanager.model.subscription;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Op;
import java.util.Locale;
import java.util.Map;

/** How much of a matching change a subscription delivers: all of it, what changed, or only which row. */
public enum Payload implements WireNames.Named {
    /** The change as captured. */
    FULL,
    /** For updates, only the primary-key columns and the changed columns of both images. */
    CHANGED,
    /** Only the identity of the row, for consumers that re-read it or evict a cache entry. */
    KEYS;

    @JsonValue
    @Override
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Payload fromWireName(String name, String field) {
        return WireNames.parse(values(), name, field);
    }

    /**
     * The change as this payload delivers it; everything but the row images (id, pk, op, changed, lsn,
     * times, {@code complete} and {@code missing}) is kept as it is, so {@code complete} and {@code missing}
     * still describe the captured change rather than the delivered subset.
     * <ul>
     *   <li>{@code full} returns {@code event} itself.</li>
     *   <li>{@code changed} trims both images of an update to the primary-key columns plus the columns in
     *       {@code changed}; inserts, deletes and snapshots keep whole images, since every column of a row
     *       that appears or disappears is news.</li>
     *   <li>{@code keys} drops {@code before}. For insert, update and snapshot, {@code after} becomes an
     *       object holding only the primary-key columns, because the ChangeEvent contract requires
     *       {@code after} for those operations; delete and truncate carry no image at all.</li>
     * </ul>
     */
    public ChangeEvent shape(ChangeEvent event) {
        return switch (this) {
            case FULL -> event;
            case CHANGED -> event.op() == Op.UPDATE
                    ? withImages(event, keyAndChanged(event.before(), event), keyAndChanged(event.after(), event))
                    : event;
            case KEYS -> withImages(event, null, event.after() == null ? null : event.pk());
        };
    }

    private static ObjectNode keyAndChanged(ObjectNode image, ChangeEvent event) {
        if (image == null) {
            return null;
        }
        ObjectNode kept = image.objectNode();
        for (Map.Entry<String, JsonNode> column : image.properties()) {
            String name = column.getKey();
            if (event.pk().has(name) || event.changed().contains(name)) {
                kept.set(name, column.getValue());
            }
        }
        return kept;
    }

    private static ChangeEvent withImages(ChangeEvent e, ObjectNode before, ObjectNode after) {
        return e.withImages(before, after, e.changed(), e.missing());
    }
}
