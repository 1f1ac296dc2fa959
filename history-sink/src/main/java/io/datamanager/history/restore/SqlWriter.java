package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes the compensating statement of a row: INSERT, UPDATE of the differing columns, or DELETE.
 * Identifiers are quoted, values are parameters cast to the column's PostgreSQL type, never spliced. Only columns
 * the live table has are written (a column dropped since is left out), never a generated one, and an identity
 * {@code GENERATED ALWAYS} column is inserted with {@code OVERRIDING SYSTEM VALUE}, so the row keeps its key.
 */
final class SqlWriter {
    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9_ .,\\[\\]\"()]+");

    private SqlWriter() {}

    static RestorePlan.Statement write(RowRestore row, Map<String, String> types) {
        return write(row, new SourceSchema.Shape(types, Set.of(), Set.of()), null);
    }

    /** {@code only}: the columns an UPDATE may set (null: every differing one). */
    static RestorePlan.Statement write(RowRestore row, SourceSchema.Shape shape, Set<String> only) {
        if (row.from() == null && row.to() == null) {
            return null;
        }
        Map<String, String> types = shape.types();
        String table = qualified(row.table());
        List<Object> params = new ArrayList<>();
        if (row.to() == null) {
            return statement(row, "delete", "DELETE FROM " + table + where(row.pk(), types, params), params);
        }
        if (row.from() == null) {
            StringBuilder columns = new StringBuilder();
            StringBuilder values = new StringBuilder();
            boolean overriding = false;
            for (Iterator<Map.Entry<String, JsonNode>> it = row.to().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> c = it.next();
                if (!writable(c.getKey(), shape)) {
                    continue;
                }
                overriding |= shape.identityAlways().contains(c.getKey());
                columns.append(columns.isEmpty() ? "" : ", ").append(ident(c.getKey()));
                values.append(values.isEmpty() ? "" : ", ").append(param(c.getKey(), c.getValue(), types, params));
            }
            return statement(row, "insert", "INSERT INTO " + table + " (" + columns + ")"
                    + (overriding ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES (" + values + ")", params);
        }
        StringBuilder set = new StringBuilder();
        for (String column : updated(row, shape, only)) {
            set.append(set.isEmpty() ? "" : ", ").append(ident(column)).append(" = ")
                    .append(param(column, row.to().get(column), types, params));
        }
        if (set.isEmpty()) {
            return null;
        }
        return statement(row, "update", "UPDATE " + table + " SET " + set + where(row.pk(), types, params), params);
    }

    /** The columns an UPDATE sets: differing between history's newest and the target, writable, and allowed. */
    static List<String> updated(RowRestore row, SourceSchema.Shape shape, Set<String> only) {
        List<String> out = new ArrayList<>();
        row.to().fieldNames().forEachRemaining(column -> {
            if (!row.to().get(column).equals(row.from().get(column)) && writable(column, shape)
                    && (only == null || only.contains(column))) {
                out.add(column);
            }
        });
        return out;
    }

    /** The target's values the live table has no column for any more (empty when the catalog is unknown). */
    static List<String> dropped(RowRestore row, SourceSchema.Shape shape) {
        List<String> out = new ArrayList<>();
        if (row.to() != null && shape.known()) {
            row.to().fieldNames().forEachRemaining(column -> {
                boolean written = row.from() == null || !row.to().get(column).equals(row.from().get(column));
                if (written && !shape.types().containsKey(column)) {
                    out.add(column);
                }
            });
        }
        return out;
    }

    private static boolean writable(String column, SourceSchema.Shape shape) {
        return (!shape.known() || shape.types().containsKey(column)) && !shape.generated().contains(column);
    }

    private static RestorePlan.Statement statement(RowRestore row, String action, String sql, List<Object> params) {
        return new RestorePlan.Statement(row.table(), row.pk(), action, sql, nullsKept(params), SqlLiterals.inline(sql, params));
    }

    private static List<Object> nullsKept(List<Object> params) {
        return java.util.Collections.unmodifiableList(new ArrayList<>(params)); // List.copyOf refuses nulls
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
