package io.datamanager.history.api;

import io.datamanager.history.store.HistoryQuery;
import io.datamanager.model.ValidationException;
import jakarta.ws.rs.core.MultivaluedMap;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Query parameters read once, each failure naming the parameter. */
final class Params {
    private Params() {}

    static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new ValidationException(name, "must be an ISO-8601 time with offset, like 2026-11-23T10:15:30Z, was '" + value + "'");
        }
    }

    static int limit(String value) {
        if (value == null || value.isBlank()) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= 1000) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ValidationException("limit", "must be a number from 1 to 1000, was '" + value + "'");
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

    static String cursor(HistoryQuery.Cursor cursor) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((cursor.commitTs() + "|" + cursor.versionId()).getBytes(StandardCharsets.UTF_8));
    }

    static HistoryQuery.Cursor cursor(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            List<String> parts = List.of(new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8).split("\\|"));
            return new HistoryQuery.Cursor(Instant.parse(parts.get(0)), Long.parseLong(parts.get(1)));
        } catch (RuntimeException e) {
            throw new ValidationException("cursor", "is not a cursor this API returned");
        }
    }
}
