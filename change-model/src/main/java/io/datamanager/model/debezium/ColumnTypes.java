package io.datamanager.model.debezium;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.Json;
import io.datamanager.model.ValidationException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The column types of a Debezium record, carried beside the schemaless envelope in the Kafka header
 * {@value #HEADER} as a JSON object {@code {"column": "descriptor"}}. With schemas disabled a date is just
 * an integer and a jsonb value just a string; the descriptor restores the meaning. A descriptor is the
 * Debezium semantic type name where there is one ({@code io.debezium.time.Date}), else the Kafka Connect
 * type ({@code int32}, {@code string}, ...); arrays are {@code array<element>}; the PostgreSQL type may
 * follow after a bar ({@code string|numeric}, {@code io.debezium.data.Json|jsonb}). The header is written by
 * the {@code ColumnTypesHeader} transform of connector-config (Debezium Server's JSON header format wraps the object in a JSON string).
 */
public record ColumnTypes(Map<String, String> descriptors) {
    public static final String HEADER = "dm.types";
    public static final ColumnTypes UNKNOWN = new ColumnTypes(Map.of());

    public ColumnTypes {
        descriptors = Map.copyOf(descriptors);
    }

    /** The Debezium descriptor of a column (without the PostgreSQL type), or null when the header did not name it. */
    public String of(String column) {
        String d = descriptors.get(column);
        int bar = d == null ? -1 : d.indexOf('|');
        return bar < 0 ? d : d.substring(0, bar);
    }

    /** The PostgreSQL type of a column ({@code numeric}, {@code jsonb}, {@code _int4}), or null when not known. */
    public String postgresType(String column) {
        String d = descriptors.get(column);
        int bar = d == null ? -1 : d.indexOf('|');
        return bar < 0 ? null : d.substring(bar + 1);
    }

    /** Parses the header value; tolerates a JSON string wrapping the object (JSON header converters). */
    public static ColumnTypes fromHeader(byte[] header) {
        if (header == null || header.length == 0) {
            return UNKNOWN;
        }
        JsonNode node = Json.tree(header, "header " + HEADER);
        if (node.isTextual()) {
            node = Json.tree(node.asText().getBytes(StandardCharsets.UTF_8), "header " + HEADER);
        }
        if (!node.isObject()) {
            throw new ValidationException("header " + HEADER, "must be a JSON object of column descriptors");
        }
        Map<String, String> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return new ColumnTypes(map);
    }
}
