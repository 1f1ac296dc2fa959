package io.datamanager.history.tables;

import io.datamanager.model.TableSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a table's definition from the source database's catalog (pg_catalog, readable by any user that may
 * connect), so a table is known before its first change. Fixed SQL with parameters: the table name a user
 * typed is only ever a parameter, matched against {@code schema || '.' || table} as capture names tables.
 */
final class SourceCatalog {
    private static final int TIMEOUT_SECONDS = 10;

    /** The relation found under a name: its kind ({@code r} table, {@code p} partitioned, {@code v} view...) and columns. */
    record Relation(String schema, String name, char kind, List<TableSchema.Column> columns) {
        boolean isTable() {
            return kind == 'r' || kind == 'p';
        }

        String kindName() {
            return switch (kind) {
                case 'v' -> "a view";
                case 'm' -> "a materialized view";
                case 'f' -> "a foreign table";
                case 'S' -> "a sequence";
                case 'i', 'I' -> "an index";
                case 'c' -> "a composite type";
                default -> "not a table";
            };
        }
    }

    private SourceCatalog() {}

    /** The relation named {@code schema.table}, with its columns in table order; empty when there is none. */
    static Optional<Relation> relation(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT n.nspname, c.relname, c.relkind::text, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY (i.indkey))
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE c.relname = ANY (?) AND n.nspname || '.' || c.relname = ?
                ORDER BY n.nspname, a.attnum""")) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            ps.setArray(1, c.createArrayOf("text", relationNames(table)));
            ps.setString(2, table);
            Relation found = null;
            List<TableSchema.Column> columns = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (found == null) {
                        found = new Relation(rs.getString(1), rs.getString(2), rs.getString(3).charAt(0), columns);
                    } else if (!found.schema().equals(rs.getString(1))) {
                        break; // "a.b.c" names two relations (schema "a", table "b.c" and schema "a.b", table "c"): the first
                    }
                    if (rs.getString(4) != null) {
                        columns.add(new TableSchema.Column(rs.getString(4), rs.getString(5), rs.getBoolean(7), !rs.getBoolean(6)));
                    }
                }
            }
            return Optional.ofNullable(found).map(r -> new Relation(r.schema(), r.name(), r.kind(), List.copyOf(columns)));
        }
    }

    /**
     * Whether the publication includes the table (all tables, its schema, the table itself or its partitions);
     * empty when the publication does not exist (capture creates it when it first starts).
     */
    static Optional<Boolean> published(Connection c, String publication, Relation table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT p.puballtables
                    OR EXISTS (SELECT 1 FROM pg_publication_tables t WHERE t.pubname = p.pubname AND t.schemaname = ? AND t.tablename = ?)
                    OR EXISTS (SELECT 1 FROM pg_publication_rel r JOIN pg_class c ON c.oid = r.prrelid
                               JOIN pg_namespace n ON n.oid = c.relnamespace
                               WHERE r.prpubid = p.oid AND n.nspname = ? AND c.relname = ?)
                FROM pg_publication p WHERE p.pubname = ?""")) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            ps.setString(3, table.schema());
            ps.setString(4, table.name());
            ps.setString(5, publication);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBoolean(1)) : Optional.empty();
            }
        }
    }

    /** Every relation name {@code schema.table} can end in (after each dot), so the lookup uses pg_class's name index. */
    static String[] relationNames(String table) {
        List<String> names = new ArrayList<>();
        for (int dot = table.indexOf('.'); dot >= 0; dot = table.indexOf('.', dot + 1)) {
            names.add(table.substring(dot + 1));
        }
        return names.toArray(String[]::new);
    }

    /** Every table of the source database (plain and partitioned), as capture names them: {@code schema.table}. */
    static java.util.Set<String> tableNames(Connection c) throws SQLException {
        java.util.Set<String> out = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname || '.' || c.relname FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')")) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
