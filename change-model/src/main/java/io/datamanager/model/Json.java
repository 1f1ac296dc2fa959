package io.datamanager.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;

/**
 * The one JSON configuration of the project: ISO-8601 times, big decimals kept exact, absent nulls omitted, and
 * strict reading. A value is read as the type it is written as, or refused: no string read as a number or a
 * boolean, no number as a boolean or a string, no fraction as an integer, no epoch number as a time; unknown
 * properties and anything after the value are refused too, and so are duplicate keys in a tree (every request body
 * is read as one first; {@link ExactJson} reads captured data, where PostgreSQL's {@code json} may repeat a key). Every failure is a
 * {@link ValidationException} naming the JSON path of the field.
 */
public final class Json {
    private static final ObjectMapper MAPPER = configure(JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build());

    private Json() {}

    /** Applies the project's settings to a mapper (Quarkus services pass theirs in). */
    public static ObjectMapper configure(ObjectMapper mapper) {
        mapper.registerModule(new JavaTimeModule())
                .registerModule(new SimpleModule("strict-instants").addDeserializer(Instant.class, new StrictInstant()))
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .setSerializationInclusion(JsonInclude.Include.NON_NULL);
        for (LogicalType type : new LogicalType[] {LogicalType.Boolean, LogicalType.Integer, LogicalType.Float, LogicalType.Textual,
                LogicalType.DateTime, LogicalType.Enum}) {
            mapper.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.Boolean, type == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Integer, type == LogicalType.Integer || type == LogicalType.Float
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, type == LogicalType.Float ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, type == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyArray, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyObject, CoercionAction.Fail);
            if (type != LogicalType.Textual && type != LogicalType.DateTime && type != LogicalType.Enum) {
                mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
            }
        }
        return mapper;
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] toBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static String toString(Object value) {
        return new String(toBytes(value), StandardCharsets.UTF_8);
    }

    /** A JSON document as a tree: one value, nothing after it, no key twice in an object. */
    public static JsonNode tree(byte[] json, String what) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new ValidationException(what, "is empty: a JSON value is required");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ValidationException(at(what, e), "is not valid JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new ValidationException(what, "cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * A request body as a tree: as {@link #tree}, and also UTF-8 only (no byte order mark) and no text PostgreSQL cannot hold (NUL, a
     * lone UTF-16 surrogate) in any key or string, each refusal naming the JSON path.
     */
    public static JsonNode requestTree(byte[] json) {
        if (json.length >= 3 && (json[0] & 0xff) == 0xEF && (json[1] & 0xff) == 0xBB && (json[2] & 0xff) == 0xBF) {
            throw new ValidationException("body", "starts with a byte order mark, which JSON text must not (RFC 8259)");
        }
        checkUtf8(json);
        JsonNode node = tree(json, "body");
        checkText(node, "");
        return node;
    }

    /** A request body as a value of {@code type}: {@link #requestTree}, then {@link #read} of it. */
    public static <T> T readRequest(byte[] json, Class<T> type) {
        JsonNode node = requestTree(json);
        if (!node.isObject()) {
            throw new ValidationException("body", "a JSON object is required, was " + describe(node));
        }
        try {
            return checked(MAPPER.treeToValue(node, type));
        } catch (JsonProcessingException e) {
            throw translate(e);
        }
    }

    /**
     * Reads a value of the given type; any failure becomes a {@link ValidationException} naming the JSON
     * path of the field that was wrong. A JSON {@code null} (or nothing) is refused: a value is required.
     */
    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return checked(MAPPER.readValue(json, type));
        } catch (JsonProcessingException e) {
            throw translate(e);
        } catch (IOException e) {
            throw new ValidationException("body", "cannot be read: " + e.getMessage(), e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        return read(json.getBytes(StandardCharsets.UTF_8), type);
    }

    private static <T> T checked(T value) {
        if (value == null) {
            throw new ValidationException("body", "a JSON object is required, was null");
        }
        return value;
    }

    private static ValidationException translate(JsonProcessingException e) {
        if (e instanceof ValueInstantiationException v) {
            if (v.getCause() instanceof ValidationException cause) {
                return within(path(v), cause);
            }
            return new ValidationException(orBody(path(v)), v.getOriginalMessage(), v);
        }
        if (e instanceof InvalidFormatException f) {
            return new ValidationException(orBody(path(f)), "has an invalid value " + f.getValue(), f);
        }
        if (e instanceof UnrecognizedPropertyException u) {
            return new ValidationException(orBody(path(u)), "is not a known property", u);
        }
        if (e instanceof MismatchedInputException m) {
            if (m.getPath().isEmpty() && m.getOriginalMessage().startsWith("No content")) {
                return new ValidationException("body", "is empty: a JSON object is required", m);
            }
            return new ValidationException(orBody(path(m)), "has the wrong type or is missing (" + firstLine(m.getOriginalMessage()) + ")", m);
        }
        if (e.getCause() instanceof ValidationException v) {
            return e instanceof com.fasterxml.jackson.databind.JsonMappingException m ? within(path(m), v) : v;
        }
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()) {
            return new ValidationException(path(m), firstLine(m.getOriginalMessage()), m);
        }
        return new ValidationException(at("body", e), "is not valid JSON (" + firstLine(e.getOriginalMessage()) + ")", e);
    }

    private static void checkUtf8(byte[] json) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(json));
        } catch (CharacterCodingException e) {
            throw new ValidationException("body", "is not UTF-8 (" + e.getMessage() + "): send JSON as UTF-8", e);
        }
    }

    /** NUL and lone surrogates, which PostgreSQL refuses (or a driver silently replaces), in keys and strings. */
    private static void checkText(JsonNode node, String path) {
        if (node.isTextual()) {
            Input.text(orBody(path), node.textValue());
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkText(node.get(i), path + "[" + i + "]");
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                Input.text(orBody(path), field.getKey()); // a key is named by the object holding it
                checkText(field.getValue(), at);
            }
        }
    }

    private static String describe(JsonNode node) {
        return node.isNull() ? "null" : node.isArray() ? "an array" : node.isTextual() ? "a string" : node.isNumber() ? "a number"
                : node.isBoolean() ? "a boolean" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }

    /** A field named by a nested constructor, placed under the JSON path Jackson was at. */
    private static ValidationException within(String path, ValidationException v) {
        if (path.isEmpty() || path.equals(v.field()) || path.endsWith("." + v.field())) {
            return path.isEmpty() ? v : new ValidationException(path, v.reason(), v);
        }
        return new ValidationException(path + "." + v.field(), v.reason(), v);
    }

    private static String orBody(String path) {
        return path.isEmpty() ? "body" : path;
    }

    private static String firstLine(String message) {
        int nl = message == null ? -1 : message.indexOf('\n');
        return nl < 0 ? String.valueOf(message) : message.substring(0, nl);
    }

    /**
     * The field a duplicate key names, as a path ({@code filters[0].op}); {@code fallback} for any other syntax error,
     * which is the document's, not a field's.
     */
    private static String at(String fallback, JsonProcessingException e) {
        if (e.getProcessor() instanceof JsonParser parser && String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
            StringBuilder sb = new StringBuilder();
            for (JsonPointer p = parser.getParsingContext().pathAsPointer(); p != null && !p.matches(); p = p.tail()) {
                if (p.getMatchingIndex() >= 0 && !sb.isEmpty()) {
                    sb.append('[').append(p.getMatchingIndex()).append(']');
                } else {
                    sb.append(sb.isEmpty() ? "" : ".").append(p.getMatchingProperty());
                }
            }
            return sb.isEmpty() ? fallback : sb.toString();
        }
        return fallback;
    }

    private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** An instant only from ISO-8601 text with an offset, within what PostgreSQL's timestamptz holds: never from a number. */
    private static final class StrictInstant extends StdScalarDeserializer<Instant> {
        private static final long serialVersionUID = 1L;

        StrictInstant() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
            }
            String field = p.getParsingContext().getCurrentName();
            try {
                return Input.instant(field == null ? "body" : field, p.getText());
            } catch (ValidationException e) {
                throw com.fasterxml.jackson.databind.JsonMappingException.from(p, e.reason(), e);
            }
        }
    }
}
