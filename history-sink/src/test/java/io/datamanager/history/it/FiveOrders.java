package io.datamanager.history.it;

import static io.restassured.RestAssured.given;

import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * Five orders of a table of their own, one mistake on all five (a single UPDATE), then legitimate edits of the
 * first three, each in a transaction of its own; everything in history before the test goes on. Each row
 * holds characters of every UTF-8 length and columns of several types, so a restore is compared column by column.
 */
final class FiveOrders {
    static final String TABLE_DDL = "CREATE TABLE sales_orders (id integer PRIMARY KEY, status text NOT NULL, "
            + "total numeric(10,2) NOT NULL, placed date, updated_at timestamptz, note text, tags text[], extra jsonb)";
    static final String EDIT = " (address corrected by a clerk)";

    final Instant beforeMistake;
    private final int first;
    private final Map<Integer, String> original = new HashMap<>();
    private final Map<Integer, Long> insertVersion = new HashMap<>();
    private final Map<Integer, Long> editVersion = new HashMap<>();

    private FiveOrders(int first, Instant beforeMistake) {
        this.first = first;
        this.beforeMistake = beforeMistake;
    }

    /** Orders {@code first} to {@code first + 4}. */
    static FiveOrders create(int first) throws Exception {
        StringBuilder values = new StringBuilder();
        for (int id = first; id < first + 5; id++) {
            values.append(values.isEmpty() ? "" : ", ").append("(").append(id).append(", 'new', ").append(10 + id).append(".25, '2026-11-2")
                    .append(id % 10).append("', '2026-11-23 10:15:30.123456+00', 'a ü € \uD83D\uDE80 ").append(id)
                    .append("', ARRAY['x', 'y z'], '{\"k\": [1, \"\uD83D\uDE80\"]}')");
        }
        HistoryPipeline.sql("INSERT INTO sales_orders VALUES " + values);
        FiveOrders o = new FiveOrders(first, Instant.parse(HistoryPipeline.query("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', "
                + "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")));
        for (int id : o.all()) {
            o.original.put(id, o.live(id));
        }
        HistoryPipeline.sql("UPDATE sales_orders SET status = 'cancelled', updated_at = now() WHERE id BETWEEN " + first + " AND " + (first + 4));
        for (int id : o.edited()) {
            HistoryPipeline.sql("UPDATE sales_orders SET note = note || '" + EDIT + "', total = total + 1 WHERE id = " + id);
        }
        for (int id : o.all()) {
            List<Map<String, Object>> versions = o.awaitVersions(id, o.edited().contains(id) ? 3 : 2);
            o.insertVersion.put(id, ((Number) versions.getLast().get("versionId")).longValue());
            if (o.edited().contains(id)) {
                o.editVersion.put(id, ((Number) versions.getFirst().get("versionId")).longValue());
            }
        }
        return o;
    }

    List<Integer> all() {
        return List.of(first, first + 1, first + 2, first + 3, first + 4);
    }

    List<Integer> edited() {
        return List.of(first, first + 1, first + 2);
    }

    List<Integer> untouched() {
        return List.of(first + 3, first + 4);
    }

    /** Every column of the live row, as PostgreSQL writes it. */
    String live(int id) throws Exception {
        return HistoryPipeline.query("SELECT to_jsonb(t)::text FROM sales_orders t WHERE id = " + id);
    }

    String original(int id) {
        return original.get(id);
    }

    String editedNote(int id) {
        return "a ü € \uD83D\uDE80 " + id + EDIT;
    }

    long insertVersion(int id) {
        return insertVersion.get(id);
    }

    long editVersion(int id) {
        return editVersion.get(id);
    }

    /** The row's versions, newest first, once history holds at least {@code count}. */
    List<Map<String, Object>> awaitVersions(int id, int count) {
        return Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            JsonPath page = given().header("Authorization", "Bearer " + HistoryPipeline.TOKEN)
                    .get("/api/history?table=public.sales_orders&pk.id=" + id).then().extract().jsonPath();
            List<Map<String, Object>> versions = page.getList("versions");
            return versions == null ? List.of() : versions;
        }, versions -> versions.size() >= count);
    }
}
