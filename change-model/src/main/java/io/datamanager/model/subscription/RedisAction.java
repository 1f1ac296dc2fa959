package io.datamanager.model.subscription;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What Redis delivery does with the keys a change names: evict them, or write the new row to them. */
public enum RedisAction implements WireNames.Named {
    DELETE, SET;

    @JsonValue
    @Override
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RedisAction fromWireName(String name, String field) {
        return WireNames.parse(values(), name, field);
    }
}
