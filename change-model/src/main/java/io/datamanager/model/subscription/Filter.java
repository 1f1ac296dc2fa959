package io.datamanager.model.subscription;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.ValidationException;
import java.util.Map;

/**
 * One condition on a column value of a change; a subscription's filters are ANDed. Validation errors name
 * the field relative to the filter ({@code op}, {@code value[1]}); read through {@code Subscription.fromJson}
 * they carry the full path ({@code filters[0].op}).
 *
 * @param column the column whose value is compared; {@code context.<key>} compares the value of a top-level key of the
 *     change's application context instead ({@link io.datamanager.model.ChangeEvent#context()}), with the same operators
 *     and the same rule for absent values (a change without context, or without that key, satisfies only {@code is_null})
 * @param op the comparison
 * @param value a string, number or boolean; a non-empty JSON array of them for {@code in} and
 *     {@code not_in}; absent for {@code is_null} and {@code not_null} (a JSON {@code null} counts as absent)
 * @param image the row image to look at; {@code after} when absent
 */
@JsonPropertyOrder({"column", "op", "value", "image"})
public record Filter(String column, FilterOp op, JsonNode value, Image image) {
    /** A column starting so names a key of the application context, not a column. */
    public static final String CONTEXT_PREFIX = "context.";

    public Filter {
        if (column == null || column.isBlank()) {
            throw new ValidationException("column", "is required: name the column to compare");
        }
        if (op == null) {
            throw new ValidationException("op", "is required");
        }
        if (column.startsWith(CONTEXT_PREFIX)) {
            if (column.length() == CONTEXT_PREFIX.length() || column.substring(CONTEXT_PREFIX.length()).isBlank()) {
                throw new ValidationException("column", "must name a context key after 'context.', like context.source");
            }
            if (image == Image.BEFORE) {
                throw new ValidationException("image", "must be absent for a filter on the context (" + column
                        + "): a change has one context, not a before and an after");
            }
        }
        value = value == null || value.isNull() ? null : value.deepCopy();
        image = image == null ? Image.AFTER : image;
        checkValue(op, value);
    }

    /** The JSON form reads the enums here, so a wrong name is reported as {@code op}; unknown properties fail. */
    @JsonCreator
    static Filter fromProperties(@JsonProperty("column") String column, @JsonProperty("op") String op,
            @JsonProperty("value") JsonNode value, @JsonProperty("image") String image,
            @JsonAnySetter Map<String, JsonNode> unknown) {
        WireNames.rejectUnknown(unknown, "column, op, value, image");
        return new Filter(column, FilterOp.fromWireName(op, "op"), value,
                image == null ? null : Image.fromWireName(image, "image"));
    }

    /** The context key this filter compares, or null when it compares a column. */
    public String contextKey() {
        return column.startsWith(CONTEXT_PREFIX) ? column.substring(CONTEXT_PREFIX.length()) : null;
    }

    private static void checkValue(FilterOp op, JsonNode value) {
        if (op.takesNoValue()) {
            if (value != null) {
                throw new ValidationException("value", "must be absent for " + op.wireName());
            }
        } else if (op.takesList()) {
            if (value == null || !value.isArray() || value.isEmpty()) {
                throw new ValidationException("value",
                        "must be a non-empty JSON array of strings, numbers or booleans for " + op.wireName());
            }
            for (int i = 0; i < value.size(); i++) {
                if (!isScalar(value.get(i))) {
                    throw new ValidationException("value[" + i + "]", "must be a string, number or boolean");
                }
            }
        } else if (!isScalar(value)) {
            throw new ValidationException("value", "must be a string, number or boolean for " + op.wireName());
        }
    }

    private static boolean isScalar(JsonNode node) {
        return node != null && node.isValueNode() && !node.isNull();
    }
}
