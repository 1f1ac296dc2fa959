package io.datamanager.model.subscription;

import io.datamanager.model.ValidationException;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Reads the contract's names: of the subscription enums, failing with the field that held them, and of JSON
 * properties, failing on any the contract does not define whatever the mapper's settings (Quarkus's ignores
 * unknown properties by default, which would let a misspelt {@code filter} pass silently).
 */
final class WireNames {
    /** An enum constant with a contract name ({@code not_in}, {@code changed}, ...). */
    interface Named {
        String wireName();
    }

    private WireNames() {}

    static <E extends Enum<E> & Named> E parse(E[] values, String name, String field) {
        for (E value : values) {
            if (value.wireName().equals(name)) {
                return value;
            }
        }
        StringJoiner allowed = new StringJoiner(", ");
        for (E value : values) {
            allowed.add(value.wireName());
        }
        String was = name == null ? "it is missing" : "was '" + name + "'";
        throw new ValidationException(field, "must be one of " + allowed + ", " + was);
    }

    /** Rejects the first property collected by a creator's {@code @JsonAnySetter}, naming it as the field. */
    static void rejectUnknown(Map<String, ?> unknown, String known) {
        if (unknown != null && !unknown.isEmpty()) {
            throw new ValidationException(unknown.keySet().iterator().next(),
                    "is not a known property; expected one of " + known);
        }
    }
}
