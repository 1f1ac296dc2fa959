package io.datamanager.history.restore;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the source's catalog says, at plan time, of the tables a restore writes: each table's live columns (a
 * column dropped since the mistake is not written, an identity {@code GENERATED ALWAYS} needs {@code OVERRIDING
 * SYSTEM VALUE}, a generated column is never written) and the foreign keys among them, which order the statements.
 */
record SourceSchema(Map<String, Shape> tables, List<ForeignKey> foreignKeys) {

    /**
     * @param types column -> type as PostgreSQL writes it ({@code numeric(12,3)}, {@code integer[]}), table order
     * @param identityAlways columns {@code GENERATED ALWAYS AS IDENTITY}
     * @param generated columns {@code GENERATED ALWAYS AS (...) STORED}
     */
    record Shape(Map<String, String> types, Set<String> identityAlways, Set<String> generated) {
        static final Shape UNKNOWN = new Shape(Map.of(), Set.of(), Set.of());

        boolean known() {
            return !types.isEmpty();
        }
    }

    /** A foreign key from {@code child}'s columns to {@code parent}'s, by its schema-qualified constraint name. */
    record ForeignKey(String name, String child, List<String> childColumns, String parent, List<String> parentColumns,
            boolean deferrable) {}

    /** Types recorded in history only: no catalog, so no keys to order by and no identity to know of. */
    static SourceSchema ofTypes(Map<String, Map<String, String>> types) {
        Map<String, Shape> tables = new LinkedHashMap<>();
        types.forEach((table, t) -> tables.put(table, new Shape(t, Set.of(), Set.of())));
        return new SourceSchema(tables, List.of());
    }

    Shape shape(String table) {
        return tables.getOrDefault(table, Shape.UNKNOWN);
    }

    static SourceSchema read(Connection c, Collection<String> tables) throws SQLException {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (String table : new HashSet<>(tables)) {
            shapes.put(table, columns(c, table));
        }
        return new SourceSchema(shapes, foreignKeys(c, shapes.keySet()));
    }

    private static Shape columns(Connection c, String table) throws SQLException {
        Map<String, String> types = new LinkedHashMap<>();
        Set<String> always = new HashSet<>();
        Set<String> generated = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attidentity, a.attgenerated FROM pg_attribute a
                WHERE a.attrelid = CAST(? AS regclass) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""")) {
            ps.setString(1, SqlWriter.qualified(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    types.put(rs.getString(1), rs.getString(2));
                    if ("a".equals(rs.getString(3))) {
                        always.add(rs.getString(1));
                    }
                    if (!rs.getString(4).isEmpty()) {
                        generated.add(rs.getString(1));
                    }
                }
            }
        }
        return new Shape(types, always, generated);
    }

    /** The foreign keys whose both ends are among the tables (the only ones that can order two statements). */
    private static List<ForeignKey> foreignKeys(Connection c, Set<String> tables) throws SQLException {
        List<ForeignKey> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT quote_ident(n.nspname) || '.' || quote_ident(k.conname), cn.nspname || '.' || cr.relname,
                       pn.nspname || '.' || pr.relname, k.condeferrable,
                       ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(num, i)
                             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num ORDER BY u.i),
                       ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(num, i)
                             JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num ORDER BY u.i)
                FROM pg_constraint k
                JOIN pg_namespace n ON n.oid = k.connamespace
                JOIN pg_class cr ON cr.oid = k.conrelid JOIN pg_namespace cn ON cn.oid = cr.relnamespace
                JOIN pg_class pr ON pr.oid = k.confrelid JOIN pg_namespace pn ON pn.oid = pr.relnamespace
                WHERE k.contype = 'f' AND cn.nspname || '.' || cr.relname = ANY(?) AND pn.nspname || '.' || pr.relname = ANY(?)
                ORDER BY 1""")) {
            Array names = c.createArrayOf("text", tables.toArray());
            ps.setArray(1, names);
            ps.setArray(2, names);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ForeignKey(rs.getString(1), rs.getString(2), names(rs.getArray(5)), rs.getString(3),
                            names(rs.getArray(6)), rs.getBoolean(4)));
                }
            }
        }
        return out;
    }

    private static List<String> names(Array array) throws SQLException {
        return Arrays.asList((String[]) array.getArray());
    }
}
