package io.datamanager.history.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.Input;
import io.datamanager.model.ValidationException;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;

/** What jsonb refuses (NUL, a lone surrogate, a number past numeric's range) would fail a whole statement: refused first. */
public final class JsonbValues {
    private JsonbValues() {
    }

    /**
     * Throws a {@link ValidationException} naming {@code field} when the value holds what jsonb cannot store; with
     * {@code nameNested}, a nested value is named {@code field.<key>}, else by {@code field} itself (a query parameter).
     */
    public static void check(String field, JsonNode node, boolean nameNested) {
        if (node.isTextual()) {
            Input.text(field, node.textValue());
        } else if (node.isNumber()) {
            BigDecimal n = node.decimalValue();
            if (n.precision() - n.scale() > 131_072 || n.scale() > 16_383) {
                throw new ValidationException(field, "is a number past what PostgreSQL's numeric holds");
            }
        } else if (node.isArray()) {
            node.forEach(e -> check(field, e, nameNested));
        } else {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> f = fields.next();
                Input.text(field, f.getKey());
                check(nameNested ? field + "." + f.getKey() : field, f.getValue(), nameNested);
            }
        }
    }
}
