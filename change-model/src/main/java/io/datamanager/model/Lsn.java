package io.datamanager.model;

import java.util.regex.Pattern;

/** A PostgreSQL log sequence number, written as PostgreSQL does ({@code 0/16B3748}); ordered. */
public record Lsn(long value) implements Comparable<Lsn> {
    private static final Pattern TEXT = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

    public static Lsn parse(String text, String field) {
        if (text == null || !TEXT.matcher(text).matches()) {
            throw new ValidationException(field, "must be a PostgreSQL LSN like 0/16B3748, was '" + text + "'");
        }
        int slash = text.indexOf('/');
        long hi = Long.parseLong(text.substring(0, slash), 16);
        long lo = Long.parseLong(text.substring(slash + 1), 16);
        return new Lsn(hi << 32 | lo);
    }

    public static Lsn parse(String text) {
        return parse(text, "lsn");
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return String.format("%X/%X", value >>> 32, value & 0xFFFFFFFFL);
    }
}
