package io.datamanager.history.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.history.store.HistoryQuery;
import io.datamanager.model.Input;
import io.datamanager.model.Json;
import io.datamanager.model.ValidationException;
import jakarta.ws.rs.core.MultivaluedMap;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Query parameters read once, each failure naming the parameter; absent is null, given but empty is refused. */
final class Params {
    private Params() {}

    static Instant instant(String name, String value) {
        return value == null ? null : Input.instant(name, value);
    }

    static int limit(String value) {
        return value == null ? 100 : (int) Input.number("limit", value, 1, 1000);
    }

    static Long id(String name, String value) {
        return value == null ? null : Input.number(name, value, 0, Long.MAX_VALUE);
    }

    /** Parameters {@code <prefix><column>=value}, e.g. {@code pk.id=42}. */
    static Map<String, String> prefixed(MultivaluedMap<String, String> query, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        query.forEach((name, values) -> {
            if (name.startsWith(prefix)) {
                String column = name.substring(prefix.length());
                if (column.isBlank()) {
                    throw new ValidationException(name, "must name a column, like " + prefix + "id");
                }
                out.put(column, values.get(values.size() - 1));
            }
        });
        return out;
    }

    /**
     * The {@code context.<key>=<value>} filters, each read by the context store (its forms, the redacted one included);
     * key and value must be text PostgreSQL holds (no NUL).
     */
    static List<HistoryQuery.ContextMatch> context(MultivaluedMap<String, String> query, io.datamanager.history.store.ContextStore contexts) {
        List<HistoryQuery.ContextMatch> out = new java.util.ArrayList<>();
        prefixed(query, "context.").forEach((key, value) -> {
            Input.text("context." + key, key);
            Input.text("context." + key, value);
            out.add(contexts.match(key, value));
        });
        return out;
    }

    /**
     * A {@code match.<column>} value: always its text, and its JSON reading when the whole value is one JSON value
     * (nothing after it) that PostgreSQL's jsonb holds; a JSON value jsonb cannot hold (a string with NUL, a number
     * past numeric's range) is refused rather than sent.
     */
    static HistoryQuery.Match match(String column, String value) {
        JsonNode json;
        try {
            json = Json.tree(value.getBytes(StandardCharsets.UTF_8), "match." + column);
        } catch (ValidationException notJson) {
            return new HistoryQuery.Match(value, null);
        }
        io.datamanager.history.store.JsonbValues.check("match." + column, json, false);
        return new HistoryQuery.Match(value, Json.toString(json));
    }

    static String cursor(HistoryQuery.Cursor cursor) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((cursor.commitTs() + "|" + cursor.versionId()).getBytes(StandardCharsets.UTF_8));
    }

    static HistoryQuery.Cursor cursor(String value) {
        if (value == null) {
            return null;
        }
        try {
            List<String> parts = List.of(new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8).split("\\|"));
            if (parts.size() != 2) {
                throw new IllegalArgumentException("two parts");
            }
            return new HistoryQuery.Cursor(Input.instant("cursor", parts.get(0)), Input.number("cursor", parts.get(1), 0, Long.MAX_VALUE));
        } catch (RuntimeException e) {
            throw new ValidationException("cursor", "is not a cursor this API returned");
        }
    }
}
