package io.datamanager.history.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.Op;
import io.datamanager.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * On real PostgreSQL: a character of each UTF-8 length (1 to 4 bytes) at each offset around a 65,536 boundary
 * of the COPY stream, counted in characters (where the driver cut a Reader into chunks, splitting a surrogate
 * pair into "??") and in bytes (the chunks of a byte stream, the server's read buffer), in every text the
 * store writes, is read back byte for byte.
 */
class VersionStoreTextIT {
    private static final int CHUNK = 65_536;
    private static final Instant COMMIT = Instant.parse("2026-11-23T10:15:30.123456Z");
    private static PGSimpleDataSource dataSource;
    private static long lsn = 0x5000000; // across the runs: each version its own LSN and id in the one database

    /** Where a character is put, and which occurrence of its marker in the COPY line that place is. */
    enum Place {
        EVENT_ID(0), TABLE(0), ROW_KEY(0), PK(1), BEFORE_VALUE(0), AFTER_VALUE(0), BEFORE_COLUMN(0), AFTER_COLUMN(1),
        CHANGED(2), MISSING(0);

        final int occurrence;

        Place(int occurrence) {
            this.occurrence = occurrence;
        }
    }

    enum Grid { CHARS, BYTES }

    /** One character placed at {@code position} of the stream, counted on {@code grid}. */
    record Target(ChangeEvent event, Grid grid, long position) {}

    @BeforeAll
    static void historyDatabase() throws Exception {
        TestPostgres pg = TestPostgres.shared();
        dataSource = new PGSimpleDataSource();
        dataSource.setUrl(pg.jdbcUrl(pg.createDatabase(VersionStoreTextIT.class)));
        dataSource.setUser(pg.user());
        dataSource.setPassword(pg.password());
        Flyway.configure().dataSource(dataSource).load().migrate();
        try (Connection c = dataSource.getConnection(); ResultSet rs = c.createStatement().executeQuery("SHOW server_encoding")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("the history database stores UTF-8").isEqualTo("UTF8");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a", "é", "€", "🚀"})
    void everyCharacterAtEveryChunkBoundaryInEveryFieldIsStoredByteForByte(String ch) throws Exception {
        List<ChangeEvent> batch = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        long[] streamed = {0, 0}; // chars, bytes
        for (Grid grid : Grid.values()) {
            for (Place place : Place.values()) {
                for (int offset = -3; offset <= 0; offset++) { // the character starts 3, 2, 1 or 0 before the boundary
                    ChangeEvent event = event(place, ch, batch.size() + 1);
                    String line = line(event);
                    int at = nthIndexOf(line, "[" + ch + "]", place.occurrence) + 1;
                    String padLine = line(padding(0));
                    long before = streamed[grid.ordinal()] + length(padLine, grid) + length(line.substring(0, at), grid);
                    long boundary = Math.floorDiv(before - offset + CHUNK - 1, CHUNK) * CHUNK;
                    ChangeEvent pad = padding((int) (boundary + offset - before)); // ASCII: one char, one byte each
                    for (ChangeEvent e : List.of(pad, event)) {
                        String l = line(e);
                        streamed[0] += l.length();
                        streamed[1] += l.getBytes(StandardCharsets.UTF_8).length;
                        batch.add(e);
                    }
                    targets.add(new Target(event, grid, boundary + offset));
                }
            }
        }
        assertPlaced(batch, targets, ch);

        new VersionStore(dataSource).insert(batch, Map.of(), List.of());

        SoftAssertions stored = new SoftAssertions(); // every corrupted place, not only the first
        try (Connection c = dataSource.getConnection()) {
            for (Target target : targets) {
                assertStoredExactly(c, stored, target);
            }
        }
        stored.assertAll();
    }

    private static String line(ChangeEvent e) {
        return new String(CopyRows.row(e), StandardCharsets.UTF_8);
    }

    /** The test's own check that each character sits where it was meant to, in the lines the store sends. */
    private static void assertPlaced(List<ChangeEvent> batch, List<Target> targets, String ch) {
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < batch.size(); i++) {
            stream.append(line(batch.get(i)));
        }
        String text = stream.toString();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        byte[] encoded = ch.getBytes(StandardCharsets.UTF_8);
        for (Target t : targets) {
            assertThat(t.position() % CHUNK).isIn(0L, CHUNK - 1L, CHUNK - 2L, CHUNK - 3L);
            if (t.grid() == Grid.CHARS) {
                assertThat(text.substring((int) t.position(), (int) t.position() + ch.length())).isEqualTo(ch);
            } else {
                assertThat(Arrays.copyOfRange(bytes, (int) t.position(), (int) t.position() + encoded.length)).isEqualTo(encoded);
            }
        }
    }

    private static void assertStoredExactly(Connection c, SoftAssertions softly, Target target) throws Exception {
        ChangeEvent e = target.event();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT convert_to(event_id, 'UTF8'), convert_to(table_name, 'UTF8'), convert_to(row_key, 'UTF8'),
                       pk, before, after, changed, missing FROM dm_version WHERE lsn = CAST(? AS pg_lsn)""")) {
            ps.setString(1, e.lsn());
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("version at %s stored", e.lsn()).isTrue();
                String what = e.table() + " " + e.pk() + " at " + target.grid() + " " + target.position();
                softly.assertThat(rs.getBytes(1)).as("event id of %s", what).isEqualTo(utf8(e.id()));
                softly.assertThat(rs.getBytes(2)).as("table of %s", what).isEqualTo(utf8(e.table()));
                softly.assertThat(rs.getBytes(3)).as("row key of %s", what).isEqualTo(utf8(e.key().substring(e.table().length())));
                // jsonb comes back normalised (spaces), so compared as trees: every name and text value exactly equal
                softly.assertThat(tree(rs.getString(4))).as("pk of %s", what).isEqualTo(e.pk());
                softly.assertThat(tree(rs.getString(5))).as("before of %s", what).isEqualTo(e.before());
                softly.assertThat(tree(rs.getString(6))).as("after of %s", what).isEqualTo(e.after());
                softly.assertThat(Arrays.asList((String[]) rs.getArray(7).getArray())).as("changed of %s", what).isEqualTo(e.changed());
                softly.assertThat(Arrays.asList((String[]) rs.getArray(8).getArray())).as("missing of %s", what).isEqualTo(e.missing());
            }
        }
    }

    /** A version with {@code [ch]} in the given place and plain ASCII everywhere else. */
    private ChangeEvent event(Place place, String ch, int n) {
        String marked = "[" + ch + "]";
        String column = place == Place.BEFORE_COLUMN || place == Place.AFTER_COLUMN || place == Place.CHANGED ? marked : "v";
        ObjectNode before = Json.mapper().createObjectNode().put(column, place == Place.BEFORE_VALUE ? marked : "old");
        ObjectNode after = Json.mapper().createObjectNode().put(column, place == Place.AFTER_VALUE ? marked : "new");
        ObjectNode pk = Json.mapper().createObjectNode().put("id", "k" + n + (place == Place.ROW_KEY || place == Place.PK ? marked : ""));
        List<String> missing = place == Place.MISSING ? List.of("after." + marked) : List.of();
        Lsn at = new Lsn(lsn += 0x100);
        return new ChangeEvent(1, "e" + at + (place == Place.EVENT_ID ? marked : ""), "public.t" + (place == Place.TABLE ? marked : ""),
                Op.UPDATE, pk, before, after, List.of(column), missing.isEmpty(), missing, at.toString(), 7L, COMMIT, COMMIT);
    }

    /** A version whose COPY line grows by one character (and byte) per unit of {@code length}. */
    private ChangeEvent padding(int length) {
        Lsn at = new Lsn(lsn += 0x100);
        ObjectNode pk = Json.mapper().createObjectNode().put("id", "pad");
        ObjectNode after = Json.mapper().createObjectNode().put("pad", "x".repeat(length));
        return new ChangeEvent(1, "p" + at, "public.pad", Op.INSERT, pk, null, after, List.of(), true, List.of(), at.toString(),
                7L, COMMIT, COMMIT);
    }

    private static int nthIndexOf(String text, String part, int n) {
        int at = text.indexOf(part);
        for (int i = 0; i < n; i++) {
            at = text.indexOf(part, at + 1);
        }
        assertThat(at).as("occurrence %d of %s in the line", n, part).isNotNegative();
        return at;
    }

    private static long length(String text, Grid grid) {
        return grid == Grid.CHARS ? text.length() : text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ObjectNode tree(String json) {
        return json == null ? null : (ObjectNode) Json.tree(utf8(json), "stored");
    }
}
