package io.datamanager.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Malformed values for one parameter, chosen by what its OpenAPI schema says it holds. Each value is already
 * percent-encoded as it goes on the wire (so a value can carry bytes that are not UTF-8), and says whether every
 * server must refuse it: always for NUL and bytes that are not UTF-8, and for a typed parameter (integer, time,
 * enumeration, pattern) whenever the value is not of that type.
 */
final class FuzzValues {
    /** A value as sent ({@code raw}: percent-encoded), what it is, and whether it must be refused. */
    record Value(String raw, String what, boolean mustRefuse) {}

    private FuzzValues() {}

    /** Text that no server may take: NUL, bytes that are not UTF-8, an encoded UTF-16 surrogate, an overlong encoding. */
    static List<Value> alwaysInvalid() {
        return List.of(new Value("%00", "NUL", true), new Value("a%00b", "NUL inside", true), new Value("%FF", "byte FF (not UTF-8)", true),
                new Value("%ED%A0%80", "encoded lone surrogate", true), new Value("%C0%AF", "overlong UTF-8", true),
                new Value("x%E2%82", "truncated UTF-8", true));
    }

    /** Values for a parameter with the given schema; {@code onlyInvalid} leaves out values the parameter may accept. */
    static List<Value> forSchema(JsonNode schema, boolean onlyInvalid) {
        List<Value> out = new ArrayList<>(alwaysInvalid());
        String type = schema.path("type").asText("string");
        String format = schema.path("format").asText("");
        if (type.equals("integer") || type.equals("number")) {
            for (String v : List.of("abc", "1.5", "%EF%BC%91%EF%BC%92", "1e3", "0x10", "%2B1", "%201", "1%20", "99999999999999999999", "",
                    "NaN", "-", "1%2C2")) {
                out.add(new Value(v, "not an integer: " + v, true));
            }
            if (schema.has("minimum")) {
                long min = schema.get("minimum").asLong();
                out.add(new Value(Long.toString(min - 1), "below the minimum " + min, true));
                out.add(new Value("-9223372036854775808", "most negative long", min > Long.MIN_VALUE));
            }
            if (schema.has("maximum")) {
                long max = schema.get("maximum").asLong();
                out.add(new Value(Long.toString(max + 1), "above the maximum " + max, true));
            }
        } else if (format.equals("date-time")) {
            for (String v : List.of("yesterday", "2026-13-01T00%3A00%3A00Z", "2026-11-23", "2026-11-23T10%3A15%3A30", "1700000000",
                    "%2B999999999-12-31T23%3A59%3A59Z", "-999999999-01-01T00%3A00%3A00Z", "-5000-01-01T00%3A00%3A00Z",
                    "294277-01-01T00%3A00%3A00Z", "%EF%BC%92026-11-23T10%3A15%3A30Z", "2026-11-23T10%3A15%3A30%2B25%3A00", "")) {
                out.add(new Value(v, "not a time PostgreSQL holds: " + v, true));
            }
        } else if (schema.has("enum")) {
            for (String v : List.of("UPDATE", "upsert", "update%20", "", "%E2%80%8Bupdate")) {
                out.add(new Value(v, "not one of " + schema.get("enum"), true));
            }
        } else {
            Pattern pattern = schema.has("pattern") ? Pattern.compile(schema.get("pattern").asText()) : null;
            for (String[] v : TEXT) {
                String decoded = java.net.URLDecoder.decode(v[0].replace("+", "%2B"), StandardCharsets.UTF_8);
                boolean invalid = pattern != null && !pattern.matcher(decoded).matches();
                if (invalid || !onlyInvalid) {
                    out.add(new Value(v[0], v[1], invalid));
                }
            }
        }
        return out;
    }

    /** Text that is well-formed UTF-8 but odd: may be a legal value of a free-text parameter, never of a typed one. */
    private static final String[][] TEXT = {
        {"", "empty"}, {"%20", "a space"}, {"%C3%A9", "é"}, {"%F0%9F%98%80", "an emoji"}, {"x".repeat(2000), "2,000 characters"},
        {"%27%20OR%20%271%27%3D%271", "SQL injection"}, {"1%20OR%201%3D1", "1 OR 1=1"}, {"..%2F..%2Fetc%2Fpasswd", "path traversal"},
        {"a%3Bb", "a semicolon"}, {"%E2%80%AEevil", "right-to-left override"}, {"A%CC%81", "a combining accent"},
        {"%EF%BC%91%EF%BC%92", "full-width digits"}, {"%09tab", "a tab"}, {"UPPER.Case", "upper case"},
    };

    /** A random string of code points from every plane, percent-encoded; NUL and lone surrogates left out. */
    static String random(Random random) {
        StringBuilder sb = new StringBuilder();
        int length = 1 + random.nextInt(40);
        for (int i = 0; i < length; i++) {
            int cp = switch (random.nextInt(4)) {
                case 0 -> 1 + random.nextInt(0x7f);
                case 1 -> 0x80 + random.nextInt(0x800 - 0x80);
                case 2 -> 0xE000 + random.nextInt(0x10000 - 0xE000);
                default -> 0x10000 + random.nextInt(0x10FFFF - 0x10000);
            };
            sb.appendCodePoint(cp);
        }
        return java.net.URLEncoder.encode(sb.toString(), StandardCharsets.UTF_8).replace("+", "%20");
    }
}
