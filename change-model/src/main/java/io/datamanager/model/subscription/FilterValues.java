package io.datamanager.model.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;

/**
 * How a filter compares a column value with its own value. Row images keep PostgreSQL meaning, so a
 * numeric column arrives as an exact decimal string ({@code "12.50"}) while users tend to write numbers
 * ({@code 12.5}); timestamps and dates arrive as ISO-8601 text, which orders correctly as text.
 * <ul>
 *   <li>Equality ({@code eq neq in not_in}) is numeric when one side is a JSON number and the other a
 *       number or a decimal string; otherwise the text of the two scalars must be equal. Two strings stay
 *       text, because {@code "007"} and {@code "7"} in a text column are different values.</li>
 *   <li>Order ({@code lt lte gt gte}) is numeric when both sides are numbers or decimal strings, otherwise
 *       the lexicographic order of their text.</li>
 * </ul>
 * Objects and arrays (json columns) equal no scalar and have no order.
 */
final class FilterValues {
    private FilterValues() {}

    /** A filter value with its decimal meaning worked out once. */
    record Operand(String text, BigDecimal decimal, boolean jsonNumber) {
        static Operand of(JsonNode value) {
            BigDecimal decimal = FilterValues.decimal(value);
            return new Operand(value.asText(), decimal, value.isNumber() && decimal != null);
        }
    }

    static boolean equal(JsonNode actual, Operand expected) {
        if (!actual.isValueNode()) {
            return false;
        }
        if (actual.isNumber() ? expected.decimal() != null : expected.jsonNumber() && actual.isTextual()) {
            BigDecimal value = decimal(actual);
            if (value != null) {
                return value.compareTo(expected.decimal()) == 0;
            }
        }
        return actual.asText().equals(expected.text());
    }

    /** Negative, zero or positive as {@code actual} orders before, with or after the operand. */
    static int compare(JsonNode actual, Operand expected) {
        if (expected.decimal() != null) {
            BigDecimal value = decimal(actual);
            if (value != null) {
                return value.compareTo(expected.decimal());
            }
        }
        return actual.asText().compareTo(expected.text());
    }

    /** The decimal meaning of a JSON number or a decimal string; null for anything else. */
    static BigDecimal decimal(JsonNode node) {
        if (node.isNumber()) {
            boolean finite = !node.isFloatingPointNumber() || Double.isFinite(node.doubleValue());
            return finite ? node.decimalValue() : null;
        }
        if (node.isTextual() && looksDecimal(node.textValue())) {
            try {
                return new BigDecimal(node.textValue());
            } catch (NumberFormatException e) {
                return null; // an exponent out of range: not a number we can compare
            }
        }
        return null;
    }

    /** {@code [+-]digits[.digits][e[+-]digits]}, checked by hand so a timestamp costs no exception. */
    static boolean looksDecimal(String s) {
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int start = i;
        i = skipDigits(s, i);
        int digits = i - start;
        if (i < n && s.charAt(i) == '.') {
            int fractionStart = ++i;
            i = skipDigits(s, i);
            digits += i - fractionStart;
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exponentStart = i;
            i = skipDigits(s, i);
            if (i == exponentStart) {
                return false;
            }
        }
        return i == n;
    }

    private static int skipDigits(String s, int i) {
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i;
    }
}
