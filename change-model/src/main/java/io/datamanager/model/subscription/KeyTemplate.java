package io.datamanager.model.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A Redis key template such as {@code customer-orders:{customer_id}}, filled from one row image. Text values
 * go in as they are, numbers and booleans as written in JSON, objects and arrays as compact JSON. A column
 * whose value is SQL NULL names no key (there is no such customer); a column the image lacks is a problem
 * the caller reports, since the key that should be touched cannot be known.
 *
 * @param template the template as registered (already validated by {@link Redis})
 */
public record KeyTemplate(String template) {

    /** The key, or null when none: {@code problem} says why when the image lacks a column it names. */
    public record Rendered(String key, String problem) {}

    /** Fills the template from {@code row}; {@code image} ("before", "after") only words the problem. */
    public Rendered render(ObjectNode row, String image) {
        StringBuilder key = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                key.append(template, i, template.length());
                break;
            }
            int close = template.indexOf('}', open);
            key.append(template, i, open);
            String column = template.substring(open + 1, close).trim();
            JsonNode value = row.get(column);
            if (value == null) {
                return new Rendered(null, image + " has no column '" + column + "' for key template '" + template + "'");
            }
            if (value.isNull()) {
                return new Rendered(null, null);
            }
            key.append(value.isValueNode() ? value.asText() : value.toString());
            i = close + 1;
        }
        return new Rendered(key.toString(), null);
    }

    /** The columns the template names, in order. */
    public List<String> columns() {
        List<String> columns = new ArrayList<>();
        int open = template.indexOf('{');
        while (open >= 0) {
            int close = template.indexOf('}', open);
            columns.add(template.substring(open + 1, close).trim());
            open = template.indexOf('{', close);
        }
        return columns;
    }

    /**
     * A Redis glob matching every key the template can produce ({@code order:{id}} → {@code order:*}), for a
     * truncate, which names no row; the literal text is escaped.
     */
    public String glob() {
        StringBuilder glob = new StringBuilder();
        boolean inPlaceholder = false;
        for (char c : template.toCharArray()) {
            if (c == '{') {
                inPlaceholder = true;
                glob.append('*');
            } else if (c == '}') {
                inPlaceholder = false;
            } else if (!inPlaceholder) {
                if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                    glob.append('\\');
                }
                glob.append(c);
            }
        }
        return glob.toString();
    }
}
