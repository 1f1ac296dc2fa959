package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes the compensating statement of a row: INSERT, UPDATE of the differing columns, or DELETE.
 * Identifiers are quoted, values are parameters cast to the column's PostgreSQL type, never spliced.
 */
final class SqlWriter {
    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9_ .,\\[\\]\"()]+");

    private SqlWriter() {}

    static RestorePlan.Statement write(RowRestore row, Map<String, String> types) {
        if (row.from() == null && row.to() == null) {
            return null;
        }
        String table = qualified(row.table());
        List<Object> params = new ArrayList<>();
        if (row.to() == null) {
            return new RestorePlan.Statement("DELETE FROM " + table + where(row.pk(), types, params), params);
        }
        if (row.from() == null) {
            StringBuilder columns = new StringBuilder();
            StringBuilder values = new StringBuilder();
            for (Iterator<Map.Entry<String, JsonNode>> it = row.to().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> c = it.next();
                columns.append(columns.isEmpty() ? "" : ", ").append(ident(c.getKey()));
                values.append(values.isEmpty() ? "" : ", ").append(param(c.getKey(), c.getValue(), types, params));
            }
            return new RestorePlan.Statement("INSERT INTO " + table + " (" + columns + ") VALUES (" + values + ")", params);
        }
        StringBuilder set = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = row.to().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> c = it.next();
            if (!c.getValue().equals(row.from().get(c.getKey()))) {
                set.append(set.isEmpty() ? "" : ", ").append(ident(c.getKey())).append(" = ")
                        .append(param(c.getKey(), c.getValue(), types, params));
            }
        }
        if (set.isEmpty()) {
            return null;
        }
        return new RestorePlan.Statement("UPDATE " + table + " SET " + set + where(row.pk(), types, params), params);
    }

    static String where(ObjectNode pk, Map<String, String> types, List<Object> params) {
        return where(pk, types, params, "");
    }

    /** {@code WHERE <qualifier>"k1" = ? AND ...} over the key columns; the qualifier is a table alias and dot, or empty. */
    static String where(ObjectNode pk, Map<String, String> types, List<Object> params, String qualifier) {
        StringBuilder sql = new StringBuilder(" WHERE ");
        for (Iterator<Map.Entry<String, JsonNode>> it = pk.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> c = it.next();
            sql.append(sql.length() > 7 ? " AND " : "").append(qualifier).append(ident(c.getKey())).append(" = ")
                    .append(param(c.getKey(), c.getValue(), types, params));
        }
        return sql.toString();
    }

    /** A placeholder for the value, cast to the column's type; the value itself joins {@code params} as text. */
    static String param(String column, JsonNode value, Map<String, String> types, List<Object> params) {
        String type = types.get(column);
        params.add(SqlValues.text(value, type));
        if (type == null) {
            return "?";
        }
        if (!TYPE.matcher(type).matches()) {
            throw new IllegalStateException("unexpected type name " + type + " of column " + column);
        }
        return type.equals("bytea") ? "decode(?, 'base64')" : "CAST(? AS " + type + ")";
    }

    static String qualified(String table) {
        int dot = table.indexOf('.');
        return ident(table.substring(0, dot)) + "." + ident(table.substring(dot + 1));
    }

    static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
