package io.datamanager.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What happened to a row; the names are the contract's ({@code insert}, {@code update}, ...). */
public enum Op {
    INSERT("c"),
    UPDATE("u"),
    DELETE("d"),
    SNAPSHOT("r"),
    TRUNCATE("t");

    private final String debeziumCode;

    Op(String debeziumCode) {
        this.debeziumCode = debeziumCode;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The contract name ({@code "update"}); rejects anything else naming the field {@code op}. */
    @JsonCreator
    public static Op fromWireName(String name) {
        return fromWireName(name, "op");
    }

    public static Op fromWireName(String name, String field) {
        if (name != null) {
            for (Op op : values()) {
                if (op.wireName().equals(name)) {
                    return op;
                }
            }
        }
        throw new ValidationException(field, "must be one of insert, update, delete, snapshot, truncate, was '" + name + "'");
    }

    /** Debezium's one-letter {@code op} ({@code c u d r t}). */
    public static Op fromDebezium(String code) {
        for (Op op : values()) {
            if (op.debeziumCode.equals(code)) {
                return op;
            }
        }
        throw new ValidationException("op", "unknown Debezium operation '" + code + "', expected one of c, u, d, r, t");
    }
}
