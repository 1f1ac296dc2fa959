package io.datamanager.streams.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.RowKey;
import io.datamanager.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The source side of the capture-crash test: a table {@code ledger} under REPLICA IDENTITY DEFAULT whose
 * NOT NULL columns (integer, text, timestamptz) are what Debezium fills with placeholders in a delete, a
 * workload that updates, deletes and re-inserts its rows in transactions that interleave, and an
 * independent audit: a row trigger writes every row's old and new image into the unlogged (so not
 * captured) {@code ledger_audit}, in the form the pipeline's contract gives them.
 */
final class Ledger {
    /** One audited row change, images as compact JSON text. */
    record Audited(long seq, String op, int id, String oldRow, String newRow) {}

    private static final String IMAGE = """
            CREATE FUNCTION ledger_image(r ledger) RETURNS text LANGUAGE sql AS $$
              SELECT jsonb_build_object('id', r.id, 'v', r.v, 'label', r.label, 'note', r.note,
                'updated_at', to_char(r.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text $$""";
    private static final String AUDIT = """
            CREATE FUNCTION ledger_audit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'INSERT' THEN
                INSERT INTO ledger_audit (op, id, new_row) VALUES (TG_OP, NEW.id, ledger_image(NEW));
              ELSIF TG_OP = 'UPDATE' THEN
                INSERT INTO ledger_audit (op, id, old_row, new_row) VALUES (TG_OP, NEW.id, ledger_image(OLD), ledger_image(NEW));
              ELSE
                INSERT INTO ledger_audit (op, id, old_row) VALUES (TG_OP, OLD.id, ledger_image(OLD));
              END IF;
              RETURN NULL;
            END $$""";

    private final String database;
    private final int rows;

    Ledger(String database, int rows) {
        this.database = database;
        this.rows = rows;
    }

    void create() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE ledger (id integer PRIMARY KEY, v integer NOT NULL, label text NOT NULL, note text, "
                    + "updated_at timestamptz NOT NULL)");
            s.execute("CREATE UNLOGGED TABLE ledger_audit (seq bigserial PRIMARY KEY, op text NOT NULL, id integer NOT NULL, "
                    + "old_row text, new_row text)");
            s.execute(IMAGE);
            s.execute(AUDIT);
            s.execute("CREATE TRIGGER ledger_audit AFTER INSERT OR UPDATE OR DELETE ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_audit()");
        }
    }

    void insertAll() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO ledger SELECT i, i, 'label ' || i, 'note ' || i, now() FROM generate_series(1, " + rows + ") i");
        }
    }

    /**
     * Rows in pairs (a, b), step by step: a's step runs on one connection and stays open while b's step runs
     * and commits on another, then a commits. So the stream holds, every time, a transaction whose changes
     * have lower LSNs than the one before it, as under concurrent writers. Steps: update, update, delete; every
     * fourth pair is then inserted again with the values Debezium uses as placeholders (0, '') and deleted
     * again, and every fourth pair is not deleted at all.
     */
    void churn() throws SQLException {
        try (Connection first = connect(); Connection second = connect()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            for (int a = 1; a < rows; a += 2) {
                int steps = a % 8 == 1 ? 5 : a % 8 == 5 ? 2 : 3;
                for (int step = 0; step < steps; step++) {
                    step(first, a, step);
                    step(second, a + 1, step);
                    second.commit();
                    first.commit();
                }
            }
        }
    }

    private static void step(Connection c, int id, int step) throws SQLException {
        String sql = switch (step) {
            case 0 -> "UPDATE ledger SET v = v + 1, note = 'first ' || id, updated_at = now() WHERE id = ?";
            case 1 -> "UPDATE ledger SET label = 'second ' || v, note = NULL, updated_at = now() WHERE id = ?";
            case 3 -> "INSERT INTO ledger VALUES (?, 0, '', NULL, now())"; // real values that look like placeholders
            default -> "DELETE FROM ledger WHERE id = ?";
        };
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setInt(1, id);
            s.executeUpdate();
        }
    }

    long audited(String op) throws SQLException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("SELECT count(*) FROM ledger_audit WHERE op = ?")) {
            s.setString(1, op);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    List<Audited> audit() throws SQLException {
        List<Audited> out = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT seq, op, id, old_row, new_row FROM ledger_audit ORDER BY seq")) {
            while (rs.next()) {
                out.add(new Audited(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5)));
            }
        }
        return out;
    }

    /** Each row's changes in {@code dm.changes}, in order, as {@code op before after} with images as canonical JSON. */
    static Map<Integer, List<String>> history(List<ChangeEvent> changes) {
        Map<Integer, List<String>> out = new TreeMap<>();
        changes.forEach(e -> out.computeIfAbsent(e.pk().get("id").asInt(), id -> new ArrayList<>())
                .add(e.op().wireName() + " " + canonical(e.before()) + " " + canonical(e.after())));
        return out;
    }

    /** The same, from the audit: what really happened to every row. */
    static Map<Integer, List<String>> auditedHistory(List<Audited> audit) {
        Map<Integer, List<String>> out = new TreeMap<>();
        audit.forEach(a -> out.computeIfAbsent(a.id(), id -> new ArrayList<>())
                .add(a.op().toLowerCase(Locale.ROOT) + " " + canonical(json(a.oldRow())) + " " + canonical(json(a.newRow()))));
        return out;
    }

    private static ObjectNode json(String text) {
        return text == null ? null : (ObjectNode) Json.tree(text.getBytes(StandardCharsets.UTF_8), "audit");
    }

    private static String canonical(ObjectNode image) {
        return image == null ? "-" : RowKey.canonical(image);
    }

    private Connection connect() throws SQLException {
        return TestPostgres.shared().connect(database);
    }
}
