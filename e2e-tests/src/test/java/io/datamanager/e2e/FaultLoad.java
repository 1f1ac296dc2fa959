package io.datamanager.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The source side of {@code FaultInjectionIT}: two captured tables and a steady load of inserts, updates and deletes in
 * transactions of one to four changes, from two writers whose transactions interleave, and the oracle: a row trigger
 * that writes every change (op, key, old and new image as jsonb, transaction id) into {@code faults_audit.changes}, in
 * the same transaction, numbered by a sequence. The audit schema is left out of capture (the publication covers all
 * tables, so capture is told to exclude it), and is a logged table, since a SIGKILLed PostgreSQL empties unlogged ones.
 * Images are written as the pipeline's contract gives values: numeric as its text, timestamptz as UTC with
 * microseconds, date as ISO text, jsonb as JSON.
 */
final class FaultLoad implements AutoCloseable {
    static final String ITEMS = "public.fault_items";
    static final String LINKS = "public.fault_links";
    /** What capture must leave out: the audit schema. */
    static final String EXCLUDED_FROM_CAPTURE = "faults_audit\\..*";
    private static final int ITEM_IDS = 300;
    private static final int LINK_AS = 60;
    private static final String[] LABELS = {"plain", "naïve \"quoted\" 'single' \\ back ✓", "tab\tand\nnewline", "", "日本語 label"};
    private static final String BIG_BODY = "(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 200))";
    private static final String SCHEMA = """
            CREATE TABLE fault_items (id integer PRIMARY KEY, n bigint NOT NULL, label text NOT NULL, amount numeric(12,3) NOT NULL,
              happened timestamptz NOT NULL, day date NOT NULL, flag boolean NOT NULL, doc jsonb NOT NULL, body text NOT NULL);
            CREATE TABLE fault_links (a integer NOT NULL, b text NOT NULL, weight integer NOT NULL, PRIMARY KEY (a, b));
            CREATE SCHEMA faults_audit;
            CREATE SEQUENCE faults_audit.seq;
            CREATE TABLE faults_audit.changes (seq bigint PRIMARY KEY DEFAULT nextval('faults_audit.seq'), tbl text NOT NULL,
              op text NOT NULL, pk jsonb NOT NULL, old_row jsonb, new_row jsonb,
              tx bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint % 4294967296);
            CREATE FUNCTION faults_audit.image(r fault_items) RETURNS jsonb LANGUAGE sql AS $$
              SELECT jsonb_build_object('id', r.id, 'n', r.n, 'label', r.label, 'amount', r.amount::text,
                'happened', to_char(r.happened AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'day', r.day::text,
                'flag', r.flag, 'doc', r.doc, 'body', r.body) $$;
            CREATE FUNCTION faults_audit.image(r fault_links) RETURNS jsonb LANGUAGE sql AS $$
              SELECT jsonb_build_object('a', r.a, 'b', r.b, 'weight', r.weight) $$;
            CREATE FUNCTION faults_audit.items() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO faults_audit.changes (tbl, op, pk, old_row, new_row) VALUES ('public.fault_items', lower(TG_OP),
                jsonb_build_object('id', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END),
                CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE faults_audit.image(OLD) END,
                CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE faults_audit.image(NEW) END);
              RETURN NULL;
            END $$;
            CREATE FUNCTION faults_audit.links() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO faults_audit.changes (tbl, op, pk, old_row, new_row) VALUES ('public.fault_links', lower(TG_OP),
                CASE WHEN TG_OP = 'DELETE' THEN jsonb_build_object('a', OLD.a, 'b', OLD.b) ELSE jsonb_build_object('a', NEW.a, 'b', NEW.b) END,
                CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE faults_audit.image(OLD) END,
                CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE faults_audit.image(NEW) END);
              RETURN NULL;
            END $$;
            CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON fault_items FOR EACH ROW EXECUTE FUNCTION faults_audit.items();
            CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON fault_links FOR EACH ROW EXECUTE FUNCTION faults_audit.links();
            CREATE TABLE fault_probe (id serial PRIMARY KEY, what text NOT NULL);
            """;

    private final String jdbcUrl;
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean running = true;

    /** Creates the tables, the audit and its triggers. */
    FaultLoad(String jdbcUrl) throws SQLException {
        this.jdbcUrl = jdbcUrl;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(SCHEMA);
        }
    }

    /** Starts {@code writerCount} writers, each committing a transaction about every {@code pauseMillis}. */
    void start(int writerCount, long pauseMillis) {
        for (int i = 0; i < writerCount; i++) {
            Thread writer = new Thread(() -> write(pauseMillis), "fault-load-" + i);
            writer.setDaemon(true);
            writers.add(writer);
            writer.start();
        }
    }

    private void write(long pauseMillis) {
        Connection c = null;
        while (running) {
            try {
                if (c == null) {
                    c = connect();
                    c.setAutoCommit(false);
                }
                int changes = 1 + ThreadLocalRandom.current().nextInt(4);
                for (int i = 0; i < changes; i++) {
                    step(c);
                }
                c.commit();
                committed.incrementAndGet();
            } catch (SQLException e) {
                failed.incrementAndGet(); // PostgreSQL killed or restarting, or a deadlock: the audit says what committed
                close(c);
                c = null;
            }
            try {
                Thread.sleep(pauseMillis); // pacing of the load, not waiting for a condition
            } catch (InterruptedException e) {
                break;
            }
        }
        close(c);
    }

    /** One change (or a few, by one statement) of a random kind on a random row; a row that is not there is left alone. */
    private static void step(Connection c) throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int id = 1 + random.nextInt(ITEM_IDS);
        int kind = random.nextInt(100);
        if (kind < 25) {
            boolean big = random.nextInt(3) == 0; // stored out of line (TOAST): updates that leave it alone do not send it
            run(c, "INSERT INTO fault_items VALUES (?, 0, ?, ?, now(), current_date - ?, ?, ?::jsonb, "
                    + (big ? BIG_BODY : "'small body ' || ?::text") + ") ON CONFLICT (id) DO NOTHING",
                    id, LABELS[random.nextInt(LABELS.length)], new java.math.BigDecimal(random.nextInt(1_000_000)).movePointLeft(3),
                    random.nextInt(3000), random.nextBoolean(), doc(random), big ? null : id);
        } else if (kind < 40) {
            run(c, "UPDATE fault_items SET n = n + 1, happened = now() WHERE id = ?", id);
        } else if (kind < 50) {
            run(c, "UPDATE fault_items SET label = ?, flag = NOT flag, amount = amount + 0.125 WHERE id = ?",
                    LABELS[random.nextInt(LABELS.length)], id);
        } else if (kind < 56) {
            run(c, "UPDATE fault_items SET doc = jsonb_set(doc, '{n}', to_jsonb(n)), body = " + BIG_BODY + " WHERE id = ?", id);
        } else if (kind < 62) {
            run(c, "UPDATE fault_items SET n = n + 10 WHERE id BETWEEN ? AND ? + 3", id, id); // several rows, one statement
        } else if (kind < 75) {
            run(c, "DELETE FROM fault_items WHERE id = ?", id);
        } else if (kind < 85) {
            run(c, "INSERT INTO fault_links VALUES (?, ?, 0) ON CONFLICT (a, b) DO NOTHING", 1 + random.nextInt(LINK_AS), linkB(random));
        } else if (kind < 93) {
            run(c, "UPDATE fault_links SET weight = weight + 1 WHERE a = ?", 1 + random.nextInt(LINK_AS));
        } else {
            run(c, "DELETE FROM fault_links WHERE a = ? AND b = ?", 1 + random.nextInt(LINK_AS), linkB(random));
        }
    }

    private static String linkB(ThreadLocalRandom random) {
        return new String[] {"x", "y z", "ü"}[random.nextInt(3)];
    }

    private static String doc(ThreadLocalRandom random) {
        return "{\"k\": 1.50, \"big\": 12345678901234567890, \"tags\": [\"a\", \"é\"], \"nested\": {\"x\": null, \"r\": " + random.nextInt(100)
                + "}}";
    }

    private static void run(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            int index = 1;
            for (Object param : params) {
                if (param == null) {
                    continue; // the big body takes no parameter
                }
                s.setObject(index++, param);
            }
            s.executeUpdate();
        }
    }

    /** The audit's newest sequence number (0 before the first change). */
    long lastSeq() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT coalesce(max(seq), 0) FROM faults_audit.changes")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every audited change, in the order the trigger wrote them (per row, the commit order: rows are locked). */
    List<Versions.Version> audit() throws SQLException {
        List<Versions.Version> out = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT tbl, pk::text, op, " + Versions.sansBody("old_row") + ", " + Versions.sansBody("new_row")
                        + ", tx, seq, null FROM faults_audit.changes ORDER BY seq")) {
            while (rs.next()) {
                out.add(Versions.read(rs));
            }
        }
        return out;
    }

    /** Inserts a probe row (captured, not audited); retries while PostgreSQL is away. Returns its id. */
    int probe(String what) throws SQLException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("INSERT INTO fault_probe (what) VALUES (?) RETURNING id")) {
            s.setString(1, what);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    long committed() {
        return committed.get();
    }

    long failed() {
        return failed.get();
    }

    /** Stops the writers; returns once none writes any more. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread writer : writers) {
            writer.interrupt();
            writer.join(30_000);
        }
    }

    Connection connect() throws SQLException {
        Properties props = new Properties();
        props.put("user", "postgres");
        props.put("password", "");
        props.put("connectTimeout", "2");
        props.put("socketTimeout", "10");
        return DriverManager.getConnection(jdbcUrl, props);
    }

    private static void close(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // broken already
        }
    }
}
