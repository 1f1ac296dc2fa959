package io.datamanager.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ExactJson;
import io.datamanager.model.RowKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Versions of rows in one form for the audit, history and webhooks, so they compare exactly: images are read as their
 * JSON text with numbers kept as written ({@link ExactJson}: {@code 1.50} is not {@code 1.5}), keys compare as sets,
 * and a {@code body} column is replaced by the MD5 of its text (the same digest PostgreSQL's {@code md5()} gives), so
 * TOASTed values compare without moving them around at every check.
 */
final class Versions {
    /** A row's change: its content (what must be equal), and where it was seen (audit sequence, event id). */
    record Version(String table, String key, String op, JsonNode before, JsonNode after, long tx, long seq, String eventId) {
        Content content() {
            return new Content(table, key, op, before, after, tx);
        }

        String row() {
            return table + key;
        }
    }

    /** What two versions of the same change have in common, wherever they were read. */
    record Content(String table, String key, String op, JsonNode before, JsonNode after, long tx) {}

    private Versions() {}

    /** SQL: the image in {@code column} (jsonb) as text, its {@code body} (when it has one) replaced by its MD5. */
    static String sansBody(String column) {
        return "(CASE WHEN " + column + "->'body' IS NOT NULL THEN jsonb_set(" + column + ", '{body}', coalesce(to_jsonb(md5("
                + column + "->>'body')), 'null'::jsonb)) ELSE " + column + " END)::text";
    }

    /** One version from a row of: table, key (jsonb text), op, before, after (as {@link #sansBody}), tx, seq, event id. */
    static Version read(ResultSet rs) throws SQLException {
        return new Version(rs.getString(1), RowKey.canonical(ExactJson.object(rs.getString(2), "key")), rs.getString(3),
                image(rs.getString(4)), image(rs.getString(5)), rs.getLong(6), rs.getLong(7), rs.getString(8));
    }

    /** Every version history holds of the tables, each row's in its order (commit time, then position in the WAL). */
    static List<Version> history(Connection historyDb, String... tables) throws SQLException {
        List<Version> out = new ArrayList<>();
        String in = String.join(", ", java.util.Arrays.stream(tables).map(t -> "'" + t.replace("'", "''") + "'").toList());
        try (Statement s = historyDb.createStatement();
                ResultSet rs = s.executeQuery("SELECT table_name, pk::text, op, " + sansBody("before") + ", " + sansBody("after")
                        + ", tx_id % 4294967296, 0, event_id FROM dm_version WHERE table_name IN (" + in + ") "
                        + "ORDER BY table_name, row_key, commit_ts, lsn, seq")) {
            while (rs.next()) {
                out.add(read(rs));
            }
        }
        return out;
    }

    /** A change as a webhook delivered it (its body, a ChangeEvent), in the same form. */
    static Version ofEvent(JsonNode event, String eventId) {
        return new Version(event.path("table").asText(), RowKey.canonical((ObjectNode) event.path("pk")), event.path("op").asText(),
                digested(event.get("before")), digested(event.get("after")), event.path("txId").asLong() % 4294967296L, 0, eventId);
    }

    private static JsonNode image(String json) {
        return json == null ? null : ExactJson.tree(json, "image");
    }

    private static JsonNode digested(JsonNode image) {
        if (image == null || image.isNull()) {
            return null;
        }
        ObjectNode copy = ((ObjectNode) image).deepCopy();
        JsonNode body = copy.get("body");
        if (body != null && body.isTextual()) {
            copy.put("body", md5(body.asText()));
        }
        return copy;
    }

    private static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    }
}
