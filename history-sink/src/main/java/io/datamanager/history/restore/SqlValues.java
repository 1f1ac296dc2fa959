package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.JsonNode;

/** Text forms PostgreSQL reads back into the column's type: the history's JSON values, as parameters. */
final class SqlValues {
    private SqlValues() {}

    static String text(JsonNode value, String type) {
        if (value == JsonNullValue.INSTANCE) {
            return "null"; // the JSON value null of a json/jsonb column: CAST('null' AS jsonb), not SQL NULL
        }
        if (value == null || value.isNull()) {
            return null;
        }
        if (type != null && type.endsWith("[]") && value.isArray()) {
            return arrayLiteral(value);
        }
        if ("json".equals(type) || "jsonb".equals(type)) {
            return value.toString(); // the JSON text itself: a JSON string keeps its quotes, a number its digits
        }
        if (value.isTextual()) {
            return value.asText();
        }
        return value.toString(); // numbers, booleans; json objects and arrays where the type is not known
    }

    /** A JSON array as a PostgreSQL array literal: {@code ["a","b c"]} -> {@code {"a","b c"}}. */
    static String arrayLiteral(JsonNode array) {
        StringBuilder sb = new StringBuilder("{");
        for (JsonNode element : array) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            if (element.isNull()) {
                sb.append("NULL");
            } else if (element.isArray()) {
                sb.append(arrayLiteral(element));
            } else {
                String text = element.isTextual() ? element.asText() : element.toString();
                sb.append('"').append(text.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return sb.append('}').toString();
    }
}
