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
        Instant instant = utc(value);
        if (instant == null) {
            try {
                instant = OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException e) {
                throw new ValidationException(field, "must be " + hint + ", was '" + shown(value) + "'");
            }
        }
        return instant(field, instant);
    }

    private static final int[] FRACTION = {100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

    /**
     * The form every Instant is written in ({@code Instant#toString}, {@code 2026-11-23T10:15:30.123456Z}), read by hand:
     * java.time's formatter was a third of the CPU of reading a change event (two times in each). Null for any other form
     * and for a field out of its range, which the formatter then reads or refuses as before.
     */
    private static Instant utc(String v) {
        int n = v.length();
        if (n < 20 || n > 30 || v.charAt(n - 1) != 'Z' || v.charAt(4) != '-' || v.charAt(7) != '-' || v.charAt(10) != 'T'
                || v.charAt(13) != ':' || v.charAt(16) != ':' || n > 20 && (n == 21 || v.charAt(19) != '.')) {
            return null;
        }
        int year = digits(v, 0, 4);
        int month = digits(v, 5, 7);
        int day = digits(v, 8, 10);
        int hour = digits(v, 11, 13);
        int minute = digits(v, 14, 16);
        int second = digits(v, 17, 19);
        int fraction = n > 20 ? digits(v, 20, n - 1) : 0;
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || fraction < 0 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return null;
        }
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600 + minute * 60 + second, n > 20 ? (long) fraction * FRACTION[n - 22] : 0);
    }

    /** The ASCII digits from {@code from} to {@code to} as a number; -1 when one is not a digit. */
    private static int digits(String v, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
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
