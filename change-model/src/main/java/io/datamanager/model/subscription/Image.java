package io.datamanager.model.subscription;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Which row image of a change a {@link Filter} looks at: the row as it was, or as it became. */
public enum Image implements WireNames.Named {
    BEFORE, AFTER;

    @JsonValue
    @Override
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Image fromWireName(String name, String field) {
        return WireNames.parse(values(), name, field);
    }
}
