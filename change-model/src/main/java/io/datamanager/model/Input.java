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
        if (instant != null) {
            return instant(field, instant);
        }
        try {
            instant = OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new ValidationException(field, "must be " + hint + ", was '" + shown(value) + "'");
        }
        return instant(field, instant);
    }

    /**
     * The instant of a time in the form this project writes ({@code 2026-11-23T10:15:30.123456Z}: UTC, a four-digit year,
     * up to nine fraction digits), or null for any other text, which {@link OffsetDateTime#parse} then reads or refuses.
     * Every change event carries two such times and is read at several hops; this skips the formatter's general parse.
     */
    static Instant utc(String value) {
        int n = value.length();
        if (n < 20 || n > 30 || value.charAt(n - 1) != 'Z' || value.charAt(4) != '-' || value.charAt(7) != '-'
                || value.charAt(10) != 'T' || value.charAt(13) != ':' || value.charAt(16) != ':') {
            return null;
        }
        int year = digits(value, 0, 4);
        int month = digits(value, 5, 7);
        int day = digits(value, 8, 10);
        int hour = digits(value, 11, 13);
        int minute = digits(value, 14, 16);
        int second = digits(value, 17, 19);
        int nanos = 0;
        if (n > 20) {
            if (value.charAt(19) != '.' || n == 21) {
                return null;
            }
            int fraction = digits(value, 20, n - 1);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction;
            for (int unit = n - 21; unit < 9; unit++) {
                nanos *= 10;
            }
        } else if (value.charAt(19) != 'Z') {
            return null;
        }
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return null; // out of range: the general parse says what is wrong
        }
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The decimal number of {@code value[from, to)}, or -1 when a character is not a digit. */
    private static int digits(String value, int from, int to) {
        int number = 0;
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            number = number * 10 + (c - '0');
        }
        return number;
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
