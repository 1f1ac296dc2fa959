package io.datamanager.history.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.ExactJson;
import io.datamanager.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * On real PostgreSQL: the same records stored the usual way (each read as a {@link ChangeEvent}) into one history
 * database and the way the ingest stores them (read directly where {@link DirectVersion} can, as a ChangeEvent where
 * it declines) into another hold the same rows, every column as PostgreSQL gives it back.
 */
class DirectVersionIT {
    @Test
    void recordsStoredDirectlyAreTheRowsTheUsualWayStores() throws Exception {
        Random random = new Random(4711);
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            byte[] json = DirectVersionTest.randomEvent(random, i).toJson();
            if (i % 2 == 1) { // another key order and spacing than the streams-app writes
                json = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(ExactJson.tree(json, "event"));
            }
            records.add(json);
        }
        List<VersionRow> usual = new ArrayList<>();
        List<VersionRow> ingested = new ArrayList<>();
        int direct = 0;
        for (byte[] json : records) {
            usual.add(VersionRow.of(ChangeEvent.fromJson(json)));
            VersionRow row = VersionRow.direct(json);
            direct += row == null ? 0 : 1;
            ingested.add(row != null ? row : VersionRow.of(ChangeEvent.fromJson(json)));
        }
        assertThat(direct).as("records read directly (the others hold a \\u escape)").isGreaterThan(1_000);

        PGSimpleDataSource usualDb = database("direct_usual");
        PGSimpleDataSource ingestDb = database("direct_ingest");
        new VersionStore(usualDb).insertRows(usual, Map.of(), List.of());
        new VersionStore(ingestDb).insertRows(ingested, Map.of(), List.of());

        List<List<String>> expected = rows(usualDb);
        assertThat(expected).hasSize(records.size());
        List<List<String>> actual = rows(ingestDb);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i)).as("version %s", expected.get(i).get(0)).isEqualTo(expected.get(i));
        }
        assertThat(actual).hasSameSizeAs(expected);
        assertThat(tables(ingestDb)).isEqualTo(tables(usualDb));
    }

    private static PGSimpleDataSource database(String name) {
        TestPostgres pg = TestPostgres.shared();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(pg.jdbcUrl(pg.createDatabase(name)));
        ds.setUser(pg.user());
        ds.setPassword(pg.password());
        Flyway.configure().dataSource(ds).load().migrate();
        return ds;
    }

    /** Every column of every version, as text, in event id order. */
    private static List<List<String>> rows(PGSimpleDataSource ds) throws Exception {
        return query(ds, "SELECT event_id, table_name, row_key, pk::text, op, before::text, after::text, changed::text, complete::text,"
                + " missing::text, lsn::text, tx_id::text, commit_ts::text, capture_ts::text, json_nulls::text FROM dm_version ORDER BY event_id");
    }

    private static List<List<String>> tables(PGSimpleDataSource ds) throws Exception {
        return query(ds, "SELECT table_name, version_count::text, last_change::text FROM dm_table ORDER BY table_name");
    }

    private static List<List<String>> query(PGSimpleDataSource ds, String sql) throws Exception {
        List<List<String>> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    byte[] bytes = rs.getBytes(i);
                    row.add(bytes == null ? null : new String(bytes, StandardCharsets.UTF_8));
                }
                out.add(row);
            }
        }
        return out;
    }
}
