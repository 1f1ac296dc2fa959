package io.datamanager.context;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The context of the work the current thread does (who, which request, which job), for {@link ContextDataSource} to
 * write into each transaction: {@code try (var scope = DmContext.with(Map.of("user", "alice"))) { ... }}. Scopes nest;
 * an inner scope adds its keys to the outer one's (the inner value wins) and closing it restores the outer context.
 * Values are text, numbers, booleans or null; the context travels as one JSON object.
 */
public final class DmContext {
    private static final ThreadLocal<Map<String, Object>> CURRENT = new ThreadLocal<>();

    private DmContext() {
    }

    /** Sets the thread's context until the returned scope is closed. */
    public static Scope with(Map<String, ?> context) {
        Map<String, Object> outer = CURRENT.get();
        Map<String, Object> merged = new LinkedHashMap<>(outer == null ? Map.of() : outer);
        context.forEach((key, value) -> {
            if (key == null || key.isEmpty()) {
                throw new IllegalArgumentException("a context key must not be empty");
            }
            if (value != null && !(value instanceof CharSequence || value instanceof Number || value instanceof Boolean)) {
                throw new IllegalArgumentException("context '" + key + "' must be text, a number, a boolean or null, was "
                        + value.getClass().getName());
            }
            merged.put(key, value);
        });
        CURRENT.set(Collections.unmodifiableMap(merged));
        return () -> {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        };
    }

    /** The thread's context, empty when none is set. */
    public static Map<String, Object> current() {
        Map<String, Object> context = CURRENT.get();
        return context == null ? Map.of() : context;
    }

    /** The thread's context as a JSON object, or null when none is set: the default source of {@link ContextDataSource}. */
    public static String currentJson() {
        Map<String, Object> context = CURRENT.get();
        return context == null || context.isEmpty() ? null : toJson(context);
    }

    /**
     * Installs (or replaces) the SQL helper {@code dm_context(jsonb)} of {@code connector-config/sql/dm-context.sql} in
     * the connection's database, for applications that install their schema themselves.
     */
    public static void installFunction(java.sql.Connection connection) throws java.sql.SQLException {
        try (java.io.InputStream in = DmContext.class.getResourceAsStream("dm-context.sql");
                java.sql.Statement statement = connection.createStatement()) {
            statement.execute(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("dm-context.sql is missing from the jar", e);
        }
    }

    /** A JSON object of text, number, boolean and null values. */
    public static String toJson(Map<String, ?> context) {
        StringBuilder json = new StringBuilder("{");
        context.forEach((key, value) -> {
            if (json.length() > 1) {
                json.append(',');
            }
            string(json, key);
            json.append(':');
            if (value == null) {
                json.append("null");
            } else if (value instanceof Number number && isJsonNumber(number)) {
                json.append(number);
            } else if (value instanceof Boolean bool) {
                json.append(bool);
            } else {
                string(json, value.toString());
            }
        });
        return json.append('}').toString();
    }

    private static boolean isJsonNumber(Number number) {
        return !(number instanceof Double d && (d.isNaN() || d.isInfinite()))
                && !(number instanceof Float f && (f.isNaN() || f.isInfinite()));
    }

    private static void string(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    /** Ends a {@link #with} scope. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
