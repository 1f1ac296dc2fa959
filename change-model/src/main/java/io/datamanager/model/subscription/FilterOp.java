package io.datamanager.model.subscription;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The comparison a {@link Filter} applies to a column value (contract names {@code eq neq lt ... not_null}). */
public enum FilterOp implements WireNames.Named {
    EQ, NEQ, LT, LTE, GT, GTE, IN, NOT_IN, IS_NULL, NOT_NULL;

    @JsonValue
    @Override
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The operator with this contract name; otherwise a {@code ValidationException} naming {@code field}. */
    public static FilterOp fromWireName(String name, String field) {
        return WireNames.parse(values(), name, field);
    }

    /** True for {@code in} and {@code not_in}, whose value is a JSON array. */
    public boolean takesList() {
        return this == IN || this == NOT_IN;
    }

    /** True for {@code is_null} and {@code not_null}, which take no value. */
    public boolean takesNoValue() {
        return this == IS_NULL || this == NOT_NULL;
    }
}
