package io.datamanager.model;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Text from outside (a query parameter, a path segment, a JSON string) checked once, before it goes anywhere:
 * text PostgreSQL can hold, numbers in ASCII digits only, times PostgreSQL's timestamptz holds. Each refusal is a
 * {@link ValidationException} naming the field, so a bad value is a 400 rather than a database error.
 */
public final class Input {
    private static final Instant PG_EPOCH = Instant.parse("2000-01-01T00:00:00Z");
    /** The first instant timestamptz holds: 4714-11-24 00:00 BC (proleptic Gregorian), PostgreSQL's MIN_TIMESTAMP. */
    public static final Instant MIN_INSTANT = PG_EPOCH.minusSeconds(211_813_488_000L);
    /** The first instant past what timestamptz holds: 294277-01-01 00:00 UTC, PostgreSQL's END_TIMESTAMP. */
    public static final Instant END_INSTANT = PG_EPOCH.plusSeconds(9_223_371_331_200L);

    private Input() {}

    /** Text without NUL (PostgreSQL's text refuses it) and without a lone UTF-16 surrogate (not encodable as UTF-8). */
    public static String text(String field, String value) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw new ValidationException(field, "must not contain a NUL character (\\u0000)");
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new ValidationException(field, "holds a lone UTF-16 surrogate (\\u" + Integer.toHexString(c) + "), which is not text");
            }
        }
        return value;
    }

    /** A whole number in ASCII digits (an optional leading '-'), from {@code min} to {@code max}. */
    public static long number(String field, String value, long min, long max) {
        String range = "a whole number from " + min + " to " + max;
        if (value == null || value.isEmpty()) {
            throw new ValidationException(field, "must be " + range + ", was empty");
        }
        int start = value.charAt(0) == '-' ? 1 : 0;
        if (start == value.length() || value.length() > 20) {
            throw new ValidationException(field, "must be " + range + ", was '" + shown(value) + "'");
        }
        for (int i = start; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                throw new ValidationException(field, "must be " + range + " in ASCII digits, was '" + shown(value) + "'");
            }
        }
        try {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException tooLarge) {
            // reported below
        }
        throw new ValidationException(field, "must be " + range + ", was " + shown(value));
    }

    /** An ISO-8601 time with offset ({@code 2026-11-23T10:15:30Z}) that PostgreSQL's timestamptz holds. */
    public static Instant instant(String field, String value) {
        String hint = "an ISO-8601 time with offset, like 2026-11-23T10:15:30Z";
        if (value == null || value.isEmpty()) {
            throw new ValidationException(field, "must be " + hint + ", was empty");
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) > 0x7e || value.charAt(i) < 0x20) {
                throw new ValidationException(field, "must be " + hint + " in ASCII, was '" + shown(value) + "'");
            }
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new ValidationException(field, "must be " + hint + ", was '" + shown(value) + "'");
        }
        return instant(field, instant);
    }

    /** The instant, when PostgreSQL's timestamptz holds it (4714-11-24 BC to 294276-12-31 AD). */
    public static Instant instant(String field, Instant instant) {
        if (instant.isBefore(MIN_INSTANT) || !instant.isBefore(END_INSTANT)) {
            throw new ValidationException(field, "is outside the times PostgreSQL holds (4713 BC to 294276 AD), was " + instant);
        }
        return instant;
    }

    private static String shown(String value) {
        String v = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        return v.replace("\u0000", "\\u0000");
    }
}
