package io.datamanager.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The one JSON configuration of the project: ISO-8601 times, big decimals kept exact, absent nulls omitted. */
public final class Json {
    private static final ObjectMapper MAPPER = configure(new ObjectMapper());

    private Json() {}

    /** Applies the project's settings to a mapper (Quarkus services pass theirs in). */
    public static ObjectMapper configure(ObjectMapper mapper) {
        return mapper.registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .setSerializationInclusion(JsonInclude.Include.NON_NULL);
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

    public static JsonNode tree(byte[] json, String what) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ValidationException(what, "is not valid JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new ValidationException(what, "cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a value of the given type; any failure becomes a {@link ValidationException} naming the JSON
     * path of the field that was wrong.
     */
    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof ValidationException v) {
                throw within(path(e), v);
            }
            throw new ValidationException(orBody(path(e)), e.getOriginalMessage(), e);
        } catch (InvalidFormatException e) {
            throw new ValidationException(orBody(path(e)), "has an invalid value " + e.getValue(), e);
        } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
            throw new ValidationException(orBody(path(e)), "is not a known property", e);
        } catch (MismatchedInputException e) {
            throw new ValidationException(orBody(path(e)), "has the wrong type or is missing", e);
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof ValidationException v) {
                throw v;
            }
            throw new ValidationException("body", "is not valid JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new ValidationException("body", "cannot be read: " + e.getMessage(), e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        return read(json.getBytes(StandardCharsets.UTF_8), type);
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
}
