package io.datamanager.history.restore;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ValueNode;
import java.io.IOException;
import java.util.List;

/**
 * The JSON value null of a json/jsonb column inside a restore's row images, where history's images hold JSON null for
 * it and for SQL NULL alike and name it in {@code jsonNulls}. It is not equal to JSON null, so every comparison of
 * images (already in state, which columns an UPDATE sets, what the mistake changed) tells the two apart, and
 * {@link SqlValues} writes it as the JSON text {@code null} ({@code CAST('null' AS jsonb)}) where SQL NULL stays NULL.
 * An answer shows it as null.
 */
final class JsonNullValue extends ValueNode {
    static final JsonNullValue INSTANCE = new JsonNullValue();

    private JsonNullValue() {}

    /** The image with its JSON nulls ({@code columns}) told apart from SQL NULL; the image itself when none (or null). */
    static ObjectNode marked(ObjectNode image, List<String> columns) {
        if (image == null || columns.isEmpty()) {
            return image;
        }
        ObjectNode out = image.deepCopy();
        for (String column : columns) {
            JsonNode value = out.get(column);
            if (value != null && value.isNull()) {
                out.set(column, INSTANCE);
            }
        }
        return out;
    }

    @Override
    public JsonToken asToken() {
        return JsonToken.VALUE_NULL;
    }

    @Override
    public JsonNodeType getNodeType() {
        return JsonNodeType.NULL;
    }

    @Override
    public String asText() {
        return "null";
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
        g.writeNull();
    }

    @Override
    public boolean equals(Object o) {
        return o == this;
    }

    @Override
    public int hashCode() {
        return JsonNullValue.class.hashCode();
    }
}
