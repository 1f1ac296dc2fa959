package io.datamanager.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads row values as written: a JSON number keeps its digits ({@code 2.50} stays {@code 2.50}, not {@code 2.5},
 * and {@code 10.0} does not become {@code 1E+1}). Row images go through here at every hop (Debezium's envelope and
 * its jsonb text, {@code dm.changes}, the history database, the live row), because the shared mapper ({@link Json})
 * normalises decimals in trees, and jsonb keeps a number's written form.
 */
public final class ExactJson {
    /**
     * Captured data as PostgreSQL has it: a {@code json} column may hold a key twice (jsonb keeps the last, and so
     * does this), so the shared mapper's refusal of duplicate keys, meant for requests, does not apply here.
     */
    private static final ObjectReader READER = Json.mapper().reader().without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .without(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    /** For a value inside a document being read: what follows it is the rest of that document, not trailing tokens. */
    private static final ObjectReader NESTED = READER.without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ExactJson() {}

    /** The tree of a JSON text, numbers exact; a {@link ValidationException} naming {@code what} when it is not JSON. */
    public static JsonNode tree(byte[] json, String what) {
        try {
            return READER.readTree(json);
        } catch (IOException e) {
            throw new ValidationException(what, "is not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    public static JsonNode tree(String json, String what) {
        return tree(json.getBytes(StandardCharsets.UTF_8), what);
    }

    /** An object from its JSON text, numbers exact (null for SQL NULL). */
    public static ObjectNode object(String json, String what) {
        if (json == null) {
            return null;
        }
        JsonNode node = tree(json, what);
        if (!node.isObject()) {
            throw new ValidationException(what, "is not a JSON object");
        }
        return (ObjectNode) node;
    }

    /**
     * The object that starts at the parser's current token, numbers exact, read as a row image inside a change event is read
     * ({@link Objects}); the parser is left on its end. A {@link ValidationException} naming {@code what} when it is not an object.
     */
    public static ObjectNode object(JsonParser p, String what) throws IOException {
        JsonNode node = NESTED.readTree(p);
        if (node == null || !node.isObject()) {
            throw new ValidationException(what, "is not a JSON object");
        }
        return (ObjectNode) node;
    }

    /** For a record component holding a row image: {@code @JsonDeserialize(using = ExactJson.Objects.class)}. */
    public static final class Objects extends StdDeserializer<ObjectNode> {
        private static final long serialVersionUID = 1L;

        public Objects() {
            super(ObjectNode.class);
        }

        @Override
        public ObjectNode deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode node = NESTED.readTree(p);
            if (!node.isObject()) {
                return (ObjectNode) ctxt.handleUnexpectedToken(ObjectNode.class, p);
            }
            return (ObjectNode) node;
        }
    }
}
