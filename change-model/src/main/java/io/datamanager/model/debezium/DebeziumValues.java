package io.datamanager.model.debezium;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.datamanager.model.ExactJson;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Base64;

/**
 * Turns one schemaless Debezium column value back into its PostgreSQL meaning, given the column's type
 * descriptor ({@link ColumnTypes}): dates and times become ISO-8601 text, json/jsonb become JSON, decimals
 * become exact decimal strings. Values without a descriptor pass through unchanged.
 */
final class DebeziumValues {
    /** Debezium's default {@code unavailable.value.placeholder}, for unchanged TOAST columns. */
    static final String PLACEHOLDER = "__debezium_unavailable_value";
    private static final String PLACEHOLDER_BASE64 =
            Base64.getEncoder().encodeToString(PLACEHOLDER.getBytes(StandardCharsets.UTF_8));
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private DebeziumValues() {}

    /** True for the TOAST placeholder in any of its shapes: text, base64 bytes, or an array of it. */
    static boolean isPlaceholder(JsonNode value) {
        if (value == null) {
            return false;
        }
        if (value.isTextual()) {
            String s = value.asText();
            return s.equals(PLACEHOLDER) || s.equals(PLACEHOLDER_BASE64);
        }
        if (value.isArray() && !value.isEmpty()) {
            for (JsonNode element : value) {
                if (!isPlaceholder(element)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * True when a json/jsonb value is the JSON value {@code null}: Debezium sends it as the text {@code "null"}
     * (SQL NULL comes as null), and {@link #convert} makes both JSON null.
     */
    static boolean isJsonNull(JsonNode sent, JsonNode converted, String descriptor) {
        return "io.debezium.data.Json".equals(descriptor) && sent != null && sent.isTextual() && converted.isNull();
    }

    /** Converts a column value given its descriptor and, when known, its PostgreSQL type. */
    static JsonNode convert(JsonNode value, String descriptor, String postgresType) {
        if (value != null && value.isTextual() && ("numeric".equals(postgresType) || "_numeric".equals(postgresType))) {
            return numericSpecial(value);
        }
        if (value != null && value.isArray() && "_numeric".equals(postgresType)) {
            ArrayNode out = NODES.arrayNode(value.size());
            value.forEach(v -> out.add(v.isTextual() ? numericSpecial(v) : v));
            return out;
        }
        return convert(value, descriptor);
    }

    /** Debezium writes numeric NaN and infinities in upper case; PostgreSQL spells them NaN, Infinity, -Infinity. */
    private static JsonNode numericSpecial(JsonNode value) {
        return switch (value.asText()) {
            case "NAN" -> text("NaN");
            case "INFINITY", "POSITIVE_INFINITY" -> text("Infinity");
            case "-INFINITY", "NEGATIVE_INFINITY" -> text("-Infinity");
            default -> value;
        };
    }

    static JsonNode convert(JsonNode value, String descriptor) {
        if (value == null || value.isNull() || descriptor == null) {
            return value == null ? NODES.nullNode() : value;
        }
        if (descriptor.startsWith("array<") && descriptor.endsWith(">") && value.isArray()) {
            String element = descriptor.substring("array<".length(), descriptor.length() - 1);
            ArrayNode out = NODES.arrayNode(value.size());
            value.forEach(v -> out.add(convert(v, element)));
            return out;
        }
        return switch (descriptor) {
            case "io.debezium.time.Date" -> text(LocalDate.ofEpochDay(value.asLong()).toString());
            case "io.debezium.time.Time" -> text(LocalTime.ofNanoOfDay(value.asLong() * 1_000_000L).toString());
            case "io.debezium.time.MicroTime" -> text(LocalTime.ofNanoOfDay(value.asLong() * 1_000L).toString());
            case "io.debezium.time.NanoTime" -> text(LocalTime.ofNanoOfDay(value.asLong()).toString());
            case "io.debezium.time.Timestamp" -> text(localDateTime(Math.floorDiv(value.asLong(), 1000L),
                    Math.floorMod(value.asLong(), 1000L) * 1_000_000L));
            case "io.debezium.time.MicroTimestamp" -> text(localDateTime(Math.floorDiv(value.asLong(), 1_000_000L),
                    Math.floorMod(value.asLong(), 1_000_000L) * 1_000L));
            case "io.debezium.time.NanoTimestamp" -> text(localDateTime(Math.floorDiv(value.asLong(), 1_000_000_000L),
                    Math.floorMod(value.asLong(), 1_000_000_000L)));
            case "io.debezium.data.Json" -> parseJson(value);
            case "io.debezium.data.VariableScaleDecimal" -> variableScaleDecimal(value);
            default -> value;
        };
    }

    private static String localDateTime(long epochSecond, long nanos) {
        return LocalDateTime.ofEpochSecond(epochSecond, (int) nanos, ZoneOffset.UTC).toString();
    }

    private static TextNode text(String s) {
        return NODES.textNode(s);
    }

    private static JsonNode parseJson(JsonNode value) {
        if (!value.isTextual()) {
            return value;
        }
        try {
            return ExactJson.tree(value.asText(), "json value");
        } catch (Exception e) {
            return value; // not JSON after all: keep the text rather than lose it
        }
    }

    private static JsonNode variableScaleDecimal(JsonNode value) {
        if (!value.isObject() || !value.has("value")) {
            return value;
        }
        byte[] unscaled = Base64.getDecoder().decode(value.get("value").asText());
        BigDecimal decimal = new BigDecimal(new BigInteger(unscaled), value.path("scale").asInt());
        return text(decimal.toPlainString());
    }
}
