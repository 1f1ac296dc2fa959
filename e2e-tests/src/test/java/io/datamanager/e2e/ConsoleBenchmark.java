package io.datamanager.e2e;

import io.datamanager.model.Json;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Prints the server time of the API calls the console's pages make, through the gateway, with a table of 1,000,000
 * versions (200,000 rows, five versions each, written straight into the history database as the ingest would). Not
 * part of the suite:
 * {@code ./mvnw -pl e2e-tests -am verify -Dtest=ConsoleBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Ddm.benchmark=true}
 * ({@code -Ddm.benchmark.versions=N} for another size).
 */
@EnabledIfSystemProperty(named = "dm.benchmark", matches = "true")
class ConsoleBenchmark {
    private static final int SAMPLES = 20;

    @Test
    void pageCallTimesAtAMillionVersions() throws Exception {
        int total = Integer.getInteger("dm.benchmark.versions", 1_000_000);
        int rows = total / 5;
        try (Stack stack = new Stack(true)) {
            stack.sql("CREATE TABLE bench (id integer PRIMARY KEY, status text, note text)");
            long loading = System.nanoTime();
            try (Connection c = stack.pg.connect(stack.historyDatabase); Statement s = c.createStatement()) {
                String id = "(g % " + rows + ")";
                s.execute("INSERT INTO dm_version (event_id, table_name, row_key, pk, op, before, after, changed, complete, lsn, tx_id, commit_ts) "
                        + "SELECT 'bench-' || g, 'public.bench', '{\"id\":' || " + id + " || '}', jsonb_build_object('id', " + id + "), 'update', "
                        + "jsonb_build_object('id', " + id + ", 'status', 'new', 'note', md5(g::text)), "
                        + "jsonb_build_object('id', " + id + ", 'status', CASE WHEN g % 7 = 0 THEN 'paid' ELSE 'shipped' END, 'note', md5(g::text)), "
                        + "'{status}', true, ('0/' || to_hex(4096 + 64 * g::bigint))::pg_lsn, 5000000 + g / 4, "
                        + "timestamptz '2026-01-01 00:00:00+00' + g * interval '1 millisecond' FROM generate_series(1, " + total + ") g");
                s.execute("INSERT INTO dm_table (table_name, version_count, last_change) VALUES ('public.bench', " + total
                        + ", timestamptz '2026-01-01 00:00:00+00' + " + total + " * interval '1 millisecond') "
                        + "ON CONFLICT (table_name) DO UPDATE SET version_count = EXCLUDED.version_count, last_change = EXCLUDED.last_change");
                s.execute("ANALYZE dm_version");
            }
            System.out.printf("console benchmark: %,d versions of public.bench loaded in %.1f s%n", total, (System.nanoTime() - loading) / 1e9);

            String mid = "2026-01-01T00:00:00Z";
            java.time.Instant middle = java.time.Instant.parse(mid).plusMillis(total / 2);
            String firstPage = "/api/history?table=public.bench&limit=50";
            String cursor = Json.tree(get(stack, firstPage), "page").path("nextCursor").asText();
            Map<String, String> calls = new LinkedHashMap<>();
            calls.put("tables (GET /api/tables)", "/api/tables");
            calls.put("a table's columns", "/api/tables/public.bench");
            calls.put("changes, first page of 50", firstPage);
            calls.put("changes, next page (cursor)", firstPage + "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            calls.put("changes filtered: op + changed column", firstPage + "&op=update&changed=status");
            calls.put("changes filtered: key (a row's timeline)", firstPage + "&pk.id=" + (rows / 2));
            calls.put("changes filtered: a value (match.status=paid)", firstPage + "&match.status=paid");
            calls.put("changes filtered: time range (1 min, middle)", firstPage + "&since=" + middle + "&until=" + middle.plusSeconds(60));
            calls.put("a transaction (txId, 4 versions)", "/api/history?txId=" + (5_000_000 + total / 8) + "&limit=1000");
            calls.put("a row as of a time", "/api/history/as-of?table=public.bench&pk.id=" + (rows / 2) + "&at=" + middle);
            System.out.printf("console benchmark: server time through the gateway, %d calls each, %,d versions%n", SAMPLES, total);
            System.out.printf("  %-48s %10s %10s%n", "page call", "p50 ms", "max ms");
            for (var call : calls.entrySet()) {
                long[] t = new long[SAMPLES];
                get(stack, call.getValue()); // warm
                for (int i = 0; i < SAMPLES; i++) {
                    long began = System.nanoTime();
                    get(stack, call.getValue());
                    t[i] = System.nanoTime() - began;
                }
                Arrays.sort(t);
                System.out.printf("  %-48s %10.1f %10.1f%n", call.getKey(), t[SAMPLES / 2] / 1e6, t[SAMPLES - 1] / 1e6);
            }
        }
    }

    private static byte[] get(Stack stack, String path) throws Exception {
        HttpResponse<String> r = stack.api("GET", path, null);
        if (r.statusCode() != 200) {
            throw new AssertionError(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().getBytes(StandardCharsets.UTF_8);
    }

}
