package io.datamanager.history.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Undo as a new user would try it, on real PostgreSQL, Debezium, Kafka and streams-app, with a realistic schema
 * ({@link Shop}) and legitimate edits around each mistake: after every restore each table is compared, every column of
 * every row, with what it must be (the snapshot before the mistake for the rows the mistake touched, the live state
 * for every other row). Each test makes its own mistake on its own rows, so the tests run in any order.
 */
@QuarkusTest
@QuarkusTestResource(value = HistoryPipeline.class, restrictToAnnotatedClass = true)
class RestoreIT {
    private static boolean created;

    @BeforeEach
    void shop() throws Exception {
        if (!created) {
            created = true;
            Shop.create();
            // history holds the shop (capture, the streams-app and the ingest have its new topics) before any mistake
            Shop.restored("{\"txId\":" + Shop.transaction("UPDATE shop_customers SET tier = tier WHERE id = 40") + "}");
        }
    }

    @Test
    void aCascadingDeleteIsRestoredByTxIdParentsFirstAndTheRestoreCanItselfBeUndone() throws Exception {
        Map<String, List<String>> before = Shop.dump();
        HistoryPipeline.sql("UPDATE shop_customers SET tier = 'silver' WHERE id = 5"); // legitimate, before
        long mistake = Shop.transaction("DELETE FROM shop_customers WHERE id IN (1, 2, 3)");
        long committed = System.nanoTime();
        HistoryPipeline.sql("UPDATE shop_customers SET email = 'six@example.org' WHERE id = 6", // legitimate, after
                "UPDATE shop_orders SET status = 'shipped' WHERE id = 31");
        Map<String, List<String>> afterMistake = Shop.dump();
        assertThat(afterMistake.get("shop_orders")).hasSize(before.get("shop_orders").size() - 15);
        assertThat(afterMistake.get("shop_lines")).hasSize(before.get("shop_lines").size() - 30);

        JsonPath dry = Shop.restored("{\"txId\":" + mistake + "}"); // waits until history holds the whole transaction
        System.out.printf("restore measure: mistake commit to restorable plan: %d ms%n", (System.nanoTime() - committed) / 1_000_000);
        assertThat(dry.getString("historyCompleteTo")).isNotNull();
        assertThat(dry.getString("orderedBy")).isEqualTo("foreign-keys");
        assertThat(dry.getList("summary")).containsExactly(
                Map.of("table", "public.shop_customers", "insert", 3, "update", 0, "delete", 0),
                Map.of("table", "public.shop_orders", "insert", 15, "update", 0, "delete", 0),
                Map.of("table", "public.shop_lines", "insert", 30, "update", 0, "delete", 0));
        List<String> tables = dry.getList("statements.table");
        assertThat(tables.subList(0, 3)).as("parents first").containsOnly("public.shop_customers");
        assertThat(tables.subList(18, 48)).containsOnly("public.shop_lines");
        assertThat(dry.getString("statements[0].pasteable")).startsWith("INSERT INTO \"public\".\"shop_customers\"")
                .contains("CAST('Customer ").contains("AS timestamp with time zone)");
        assertThat(Shop.dump()).as("a dry run writes nothing").isEqualTo(afterMistake);

        JsonPath applied = Shop.restored("{\"txId\":" + mistake + ",\"dryRun\":false}");
        assertThat(applied.getBoolean("applied")).isTrue();
        assertThat(Shop.dump()).as("every row back as before the mistake, the later edits kept").isEqualTo(expected(before, afterMistake));

        long undo = applied.getLong("transaction.txId");
        assertThat(applied.getString("transaction.lsn")).matches("[0-9A-F]+/[0-9A-F]+");
        JsonPath undone = Shop.restored("{\"txId\":" + undo + ",\"dryRun\":false}");
        assertThat(undone.getList("statements.action")).hasSize(48).containsOnly("delete");
        assertThat(undone.getList("statements.table", String.class).getFirst()).as("children first").isEqualTo("public.shop_lines");
        assertThat(Shop.dump()).as("the restore undone: as after the mistake").isEqualTo(afterMistake);
    }

    @Test
    void theTransactionSummaryFindsTheMistakeNewestFirstWithItsTablesAndRowsPerOperation() throws Exception {
        String since = Shop.now();
        long earlier = Shop.transaction("UPDATE shop_customers SET tier = 'silver' WHERE id = 21");
        long mistake = Shop.transaction("UPDATE shop_lines SET qty = qty + 1 WHERE order_id BETWEEN 181 AND 185",
                "INSERT INTO shop_customers VALUES (901, 'New', NULL, 'basic', NULL)", "DELETE FROM shop_payments WHERE order_id = 190");
        String until = Shop.now();
        Shop.restored("{\"txId\":" + mistake + "}"); // a dry run: waits until history holds the transaction
        List<Map<String, Object>> expectedTables = List.of(
                Map.of("table", "public.shop_lines", "insert", 0, "update", 10, "delete", 0, "truncate", 0),
                Map.of("table", "public.shop_customers", "insert", 1, "update", 0, "delete", 0, "truncate", 0),
                Map.of("table", "public.shop_payments", "insert", 0, "update", 0, "delete", 1, "truncate", 0));

        JsonPath window = Shop.api().get("/api/history/transactions?since=" + since + "&until=" + until).then().statusCode(200)
                .extract().jsonPath();
        assertThat(window.getList("transactions.txId", Long.class)).as("newest first").containsExactly(mistake, earlier);
        assertThat(window.getList("transactions[0].tables")).as("every table, in the order the transaction wrote them")
                .isEqualTo(expectedTables);
        assertThat(window.getInt("transactions[0].rows")).isEqualTo(12);
        assertThat(window.getString("transactions[0].commitTs")).isNotNull();
        assertThat(window.getString("transactions[0].firstLsn")).matches("[0-9A-F]+/[0-9A-F]+");
        assertThat(window.getString("nextCursor")).isNull();

        JsonPath lines = Shop.api().get("/api/history/transactions?table=public.shop_lines&limit=1").then().statusCode(200)
                .extract().jsonPath();
        assertThat(lines.getList("transactions.txId", Long.class)).containsExactly(mistake);
        assertThat(lines.getList("transactions[0].tables")).as("filtered by one table, still every table").isEqualTo(expectedTables);
        JsonPath next = Shop.api().get("/api/history/transactions?table=public.shop_lines&limit=1&cursor=" + lines.getString("nextCursor"))
                .then().statusCode(200).extract().jsonPath();
        assertThat(next.getList("transactions.txId", Long.class)).as("the page after").doesNotContain(mistake).hasSize(1);

        JsonPath one = Shop.api().get("/api/history/transactions/" + mistake).then().statusCode(200).extract().jsonPath();
        assertThat(one.getList("tables")).isEqualTo(expectedTables);
        assertThat(one.getString("changes")).isEqualTo("/api/history?txId=" + mistake);
        Shop.api().get(one.getString("changes") + "&limit=1000").then().statusCode(200)
                .body("versions.size()", org.hamcrest.Matchers.equalTo(12));

        // every history answer says through which source position and commit time history is complete (the dry run
        // above found history complete after the mistake, so that is at least past its commit)
        java.time.Instant committed = java.time.Instant.parse(one.getString("commitTs"));
        for (String route : List.of("/api/history?txId=" + mistake, "/api/history/transactions?table=public.shop_lines",
                "/api/history/transactions/" + mistake, "/api/history/as-of?table=public.shop_lines&pk.order_id=181&pk.line_no=1&at=" + until,
                "/api/history/as-of?table=public.shop_customers&at=" + until)) {
            io.restassured.response.ExtractableResponse<?> answer = Shop.api().get(route).then().statusCode(200).extract();
            assertThat(answer.header("DM-Complete-Through-LSN")).as(route).matches("[0-9A-F]+/[0-9A-F]+");
            assertThat(java.time.Instant.parse(answer.header("DM-Complete-Through-Commit"))).as(route).isAfter(committed);
            if (!route.contains("as-of?table=public.shop_customers")) { // the whole-table as-of is an array: headers only
                assertThat(answer.jsonPath().getString("completeThrough.lsn")).as(route).isEqualTo(answer.header("DM-Complete-Through-LSN"));
                assertThat(answer.jsonPath().getString("completeThrough.commitTs")).as(route)
                        .isEqualTo(answer.header("DM-Complete-Through-Commit"));
            }
        }

        Shop.api().get("/api/history/transactions?tabel=public.shop_lines").then().statusCode(400)
                .contentType("application/problem+json").body("field", org.hamcrest.Matchers.equalTo("tabel"));
        Shop.api().get("/api/history/transactions?since=yesterday").then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("since"));
        Shop.api().get("/api/history/transactions?limit=0").then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("limit"));
        Shop.api().get("/api/history/transactions?table=public.nope").then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("table"));
        Shop.api().get("/api/history/transactions?cursor=xyz").then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("cursor"));
        Shop.api().get("/api/history/transactions/12x").then().statusCode(400).contentType("application/problem+json")
                .body("field", org.hamcrest.Matchers.equalTo("txId"));
        Shop.api().get("/api/history/transactions/" + (mistake + 1_000_000)).then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void aStatementTheSourceRefusesIsA409WithSqlStateTableAndKeyAndNothingIsWritten() throws Exception {
        long mistake = Shop.transaction("INSERT INTO shop_orders VALUES (900, 40, 'new', 9.99, NULL)");
        HistoryPipeline.sql("INSERT INTO shop_payments (order_id, amount) VALUES (900, 9.99)"); // RESTRICT keeps the order
        Map<String, List<String>> live = Shop.dump();
        JsonPath refused = Shop.restore("{\"txId\":" + mistake + ",\"dryRun\":false}").statusCode(409)
                .contentType("application/problem+json").extract().jsonPath();
        assertThat(refused.getString("title")).isEqualTo("Restore refused by the source database");
        assertThat(refused.getString("restore.sqlState")).isEqualTo("23503");
        assertThat(refused.getString("restore.table")).isEqualTo("public.shop_orders");
        assertThat(refused.getInt("restore.pk.id")).isEqualTo(900);
        assertThat(refused.getString("restore.constraint")).isEqualTo("shop_payments_order_id_fkey");
        assertThat(refused.getString("detail")).contains("violates foreign key constraint").contains("rolled back");
        assertThat(Shop.dump()).isEqualTo(live);
    }

    @Test
    void identityAlwaysJsonbFormsAndAColumnDroppedAfterTheMistakeAreRestoredExactly() throws Exception {
        HistoryPipeline.sql("CREATE TABLE edge_notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text, doc jsonb, "
                        + "price numeric(10,3), at timestamptz, gone text, doubled integer GENERATED ALWAYS AS (length(body) * 2) STORED)",
                "INSERT INTO edge_notes (body, doc, price, at, gone) VALUES "
                        + "('a string', '\"just a JSON string\"', 2.500, '2026-03-29 00:59:59.999999+00', 'x'), "
                        + "('numbers', '{\"p\": 2.50, \"e\": 1e3, \"small\": 1.0e-7, \"big\": 12345678901234567890.10}', 'NaN', 'infinity', 'y'), "
                        + "('array', '[1.10, \"two\", {\"three\": 3.000}]', '-0.001', '-infinity', NULL)");
        List<String> before = Shop.rows("edge_notes");
        long mistake = Shop.transaction("DELETE FROM edge_notes");
        HistoryPipeline.sql("ALTER TABLE edge_notes DROP COLUMN gone");
        JsonPath plan = Shop.restored("{\"txId\":" + mistake + ",\"dryRun\":false}");
        assertThat(plan.getList("statements.sql", String.class)).allMatch(sql -> sql.contains("OVERRIDING SYSTEM VALUE"));
        assertThat(plan.getList("columnsNotRestored.reason")).containsOnly("dropped");
        assertThat(plan.getList("columnsNotRestored.columns.flatten()")).containsOnly("gone");
        assertThat(Shop.rows("edge_notes")).as("every column, jsonb numbers as written")
                .isEqualTo(before.stream().map(r -> r.replaceAll(", \"gone\": (\"[xy]\"|null)", "")).toList());
        assertThat(String.join("\n", Shop.rows("edge_notes"))).contains("\"p\": 2.50").contains("\"just a JSON string\"");
    }

    @Test
    void aJsonNullAndSqlNullInJsonAndJsonbColumnsAreEachRestoredAsTheyWere() throws Exception {
        // REPLICA IDENTITY DEFAULT: the before images of the mistakes come from the streams-app's row state
        HistoryPipeline.sql("CREATE TABLE json_docs (id integer PRIMARY KEY, jb jsonb, j json, note text)",
                "INSERT INTO json_docs VALUES (1, 'null', 'null', 'JSON null'), (2, NULL, NULL, 'SQL NULL'), "
                        + "(3, '\"null\"', '\"null\"', 'a JSON string'), (4, '{\"a\": null, \"n\": 2.50}', '{\"a\":null}', 'an object'), "
                        + "(5, 'null', NULL, 'mixed'), (6, NULL, 'null', 'mixed too')");
        long inserted = Shop.transaction("UPDATE json_docs SET note = note || '.' WHERE id = 6");
        Shop.restored("{\"txId\":" + inserted + "}"); // history holds the rows
        String beforeMistakes = Shop.now();
        List<String> before = jsonDocs();
        assertThat(before).as("what the comparison tells apart").containsExactly(
                "1|f|null|null|f|null|null|JSON null", "2|t|||t|||SQL NULL", "3|f|string|\"null\"|f|string|\"null\"|a JSON string",
                "4|f|object|{\"a\": null, \"n\": 2.50}|f|object|{\"a\":null}|an object", "5|f|null|null|t|||mixed",
                "6|t|||f|null|null|mixed too.");

        long update = Shop.transaction("UPDATE json_docs SET jb = 'null', j = 'null', note = 'oops'");
        JsonPath dry = Shop.restored("{\"txId\":" + update + "}");
        assertThat(dry.getList("statements.pasteable", String.class)).as("the SQL NULLs written back as NULL, JSON null left alone")
                .contains("UPDATE \"public\".\"json_docs\" SET \"j\" = CAST(NULL AS json), \"jb\" = CAST(NULL AS jsonb), "
                        + "\"note\" = CAST('SQL NULL' AS text) WHERE \"id\" = CAST('2' AS integer)")
                .contains("UPDATE \"public\".\"json_docs\" SET \"note\" = CAST('JSON null' AS text) WHERE \"id\" = CAST('1' AS integer)");
        Shop.restored("{\"txId\":" + update + ",\"dryRun\":false}");
        assertThat(jsonDocs()).as("after undoing the UPDATE").isEqualTo(before);

        long delete = Shop.transaction("DELETE FROM json_docs");
        JsonPath plan = Shop.restored("{\"txId\":" + delete + ",\"dryRun\":false}");
        List<String> inserts = plan.getList("statements.pasteable", String.class);
        assertThat(inserts).filteredOn(sql -> sql.contains("CAST('1' AS integer)")).singleElement().asString()
                .contains("CAST('null' AS jsonb)", "CAST('null' AS json)").doesNotContain("NULL AS");
        assertThat(inserts).filteredOn(sql -> sql.contains("CAST('2' AS integer)")).singleElement().asString()
                .contains("CAST(NULL AS jsonb)", "CAST(NULL AS json)").doesNotContain("'null'");
        assertThat(jsonDocs()).as("after undoing the DELETE").isEqualTo(before);

        JsonPath asOf = Shop.api().get("/api/history/as-of?table=public.json_docs&pk.id=5&at=" + beforeMistakes).then().statusCode(200)
                .extract().jsonPath();
        assertThat(asOf.getList("jsonNulls")).as("the row's JSON nulls beside it").containsExactly("jb");
        assertThat(asOf.getList("version.jsonNulls")).containsExactly("after.jb");
        assertThat(Shop.api().get("/api/history/as-of?table=public.json_docs&pk.id=2&at=" + beforeMistakes).then().statusCode(200)
                .extract().jsonPath().getList("jsonNulls")).as("SQL NULL is not marked").isNull();
        JsonPath updated = Shop.api().get("/api/history?table=public.json_docs&pk.id=6&txId=" + update).then().statusCode(200)
                .extract().jsonPath();
        assertThat(updated.getList("versions[0].jsonNulls")).as("the before image from the row state keeps its JSON null")
                .containsExactlyInAnyOrder("before.j", "after.jb", "after.j");
    }

    /** Every row of json_docs as id|jb IS NULL|jsonb_typeof|jb text|j IS NULL|json_typeof|j text|note: JSON null and SQL NULL differ. */
    private static List<String> jsonDocs() throws Exception {
        List<String> out = new ArrayList<>();
        try (java.sql.Connection c = io.datamanager.testsupport.TestPostgres.shared().connect(HistoryPipeline.source);
                java.sql.Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT concat_ws('|', id, "
                        + "CASE WHEN jb IS NULL THEN 't' ELSE 'f' END, coalesce(jsonb_typeof(jb), ''), coalesce(jb::text, ''), "
                        + "CASE WHEN j IS NULL THEN 't' ELSE 'f' END, coalesce(json_typeof(j), ''), coalesce(j::text, ''), note) "
                        + "FROM json_docs ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void mistakeOnlyRestoresTheColumnsTheMistakeChangedAndNoOneChangedSinceAndReportsTheRest() throws Exception {
        Map<String, List<String>> before = Shop.dump();
        long mistake = Shop.transaction("UPDATE shop_customers SET tier = 'gold', name = upper(name) WHERE id BETWEEN 11 AND 15");
        HistoryPipeline.sql("UPDATE shop_customers SET name = 'Renamed' WHERE id = 11",
                "UPDATE shop_customers SET email = 'twelve@example.org' WHERE id = 12");
        JsonPath refused = Shop.restore("{\"txId\":" + mistake + ",\"dryRun\":false}").statusCode(409).extract().jsonPath();
        assertThat(refused.getList("restore.conflicts.pk.id")).containsExactlyInAnyOrder(11, 12);
        assertThat(refused.getString("restore.conflicts.find { it.pk.id == 11 }.laterVersions[0].after.name")).isEqualTo("Renamed");

        JsonPath applied = Shop.restored("{\"txId\":" + mistake + ",\"dryRun\":false,\"columns\":\"mistake-only\"}");
        assertThat(applied.getList("conflicts")).isEmpty();
        assertThat(applied.getList("columnsNotRestored")).containsExactly(
                Map.of("table", "public.shop_customers", "pk", Map.of("id", 11), "columns", List.of("name"), "reason", "changed-later"));
        List<String> customers = Shop.rows("shop_customers");
        assertThat(customers).contains(row(before, "shop_customers", 13), row(before, "shop_customers", 14), row(before, "shop_customers", 15));
        assertThat(customers).anyMatch(r -> r.contains("\"id\": 11") && r.contains("\"name\": \"Renamed\"") && r.contains("\"tier\": \"basic\""));
        assertThat(customers).anyMatch(r -> r.contains("\"id\": 12") && r.contains("\"name\": \"Customer 12\"")
                && r.contains("\"email\": \"twelve@example.org\"") && r.contains("\"tier\": \"basic\""));
    }

    @Test
    void aBatchJobWindowOfFiftyTransactionsIsUndoneInOneLeavingOtherChangesInTheWindowAlone() throws Exception {
        Map<String, List<String>> before = Shop.dump();
        String since = Shop.now();
        for (int id = 41; id <= 90; id++) {
            Shop.transaction("UPDATE shop_orders SET status = 'void', total = 0 WHERE id = " + id);
            if (id % 10 == 0) {
                HistoryPipeline.sql("UPDATE shop_orders SET meta = meta || '{\"gift\": true}' WHERE id = " + (id + 60),
                        "UPDATE shop_customers SET tier = 'vip' WHERE id = " + (id / 10 + 30));
            }
        }
        String until = Shop.now();
        HistoryPipeline.sql("UPDATE shop_orders SET status = 'disputed' WHERE id = 50"); // after the window: a conflict
        Map<String, List<String>> afterMistake = Shop.dump();
        String window = "\"table\":\"public.shop_orders\",\"since\":\"" + since + "\",\"until\":\"" + until + "\",\"changed\":[\"status\"]";

        JsonPath refused = Shop.restore("{" + window + ",\"dryRun\":false}").statusCode(409).extract().jsonPath();
        assertThat(refused.getList("restore.conflicts.pk.id")).containsExactly(50);
        assertThat(Shop.dump()).isEqualTo(afterMistake);

        JsonPath applied = Shop.restored("{" + window + ",\"dryRun\":false,\"force\":true}");
        assertThat(applied.getList("summary")).containsExactly(Map.of("table", "public.shop_orders", "insert", 0, "update", 50, "delete", 0));
        Map<String, List<String>> expected = new LinkedHashMap<>(afterMistake);
        List<String> orders = new ArrayList<>(afterMistake.get("shop_orders"));
        orders.removeIf(r -> IntStream.rangeClosed(41, 90).anyMatch(id -> r.contains("\"id\": " + id + ",")));
        orders.addAll(before.get("shop_orders").stream().filter(r -> IntStream.rangeClosed(41, 90).anyMatch(id -> r.contains("\"id\": " + id + ",")))
                .toList());
        expected.put("shop_orders", orders.stream().sorted().toList());
        assertThat(Shop.dump()).isEqualTo(expected);
    }

    @Test
    void aWindowLimitedByContextUndoesOnlyWhatThatJobDid() throws Exception {
        Map<String, List<String>> before = Shop.dump();
        String since = Shop.now();
        for (int id = 161; id <= 170; id++) {
            long tx = Shop.transaction("UPDATE shop_orders SET status = 'billed', total = total + 1 WHERE id = " + id);
            // what capture and the streams-app make of pg_logical_emit_message(true, 'dm.context', ...) in that transaction
            context(tx, id % 2 == 0 ? "{\"source\":\"billing-job\",\"run\":" + id + "}" : "{\"source\":\"web\"}");
        }
        HistoryPipeline.sql("UPDATE shop_orders SET status = 'billed' WHERE id = 171"); // no context at all
        String until = Shop.now();
        Map<String, List<String>> afterMistake = Shop.dump();
        String window = "\"since\":\"" + since + "\",\"until\":\"" + until + "\",\"context\":{\"source\":\"billing-job\"}";

        JsonPath dry = Shop.restored("{" + window + "}");
        assertThat(dry.getList("summary")).containsExactly(Map.of("table", "public.shop_orders", "insert", 0, "update", 5, "delete", 0));
        Shop.restore("{" + window.replace("billing-job", "nobody") + "}").statusCode(404); // no change of that context in the window

        Shop.restored("{" + window + ",\"dryRun\":false}");
        List<Integer> billingJob = List.of(162, 164, 166, 168, 170);
        Map<String, List<String>> expected = new LinkedHashMap<>(afterMistake);
        List<String> orders = new ArrayList<>(afterMistake.get("shop_orders"));
        orders.removeIf(r -> billingJob.stream().anyMatch(id -> r.contains("\"id\": " + id + ",")));
        orders.addAll(before.get("shop_orders").stream().filter(r -> billingJob.stream().anyMatch(id -> r.contains("\"id\": " + id + ","))).toList());
        expected.put("shop_orders", orders.stream().sorted().toList());
        assertThat(Shop.dump()).as("billing-job's five changes undone; web's and the one without context kept").isEqualTo(expected);
    }

    /** A dm.context record as the streams-app writes it for a context message of transaction {@code txId}. */
    private static void context(long txId, String context) throws Exception {
        String value = "{\"v\":1,\"txId\":" + txId + ",\"lsn\":\"0/1\",\"context\":" + context + "}";
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", io.datamanager.testsupport.TestKafka.shared().bootstrapServers());
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(props, new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(HistoryPipeline.PREFIX + ".context", Long.toString(txId), value)).get();
        }
    }

    @Test
    void rowsThatReferenceEachOtherAreRestoredThroughDeferrableKeysAndRefusedByNameOtherwise() throws Exception {
        HistoryPipeline.sql("CREATE TABLE cyc_a (id integer PRIMARY KEY, b_id integer)",
                "CREATE TABLE cyc_b (id integer PRIMARY KEY, a_id integer REFERENCES cyc_a(id) DEFERRABLE)",
                "ALTER TABLE cyc_a ADD CONSTRAINT cyc_a_b FOREIGN KEY (b_id) REFERENCES cyc_b(id) DEFERRABLE",
                "CREATE TABLE cyc_c (id integer PRIMARY KEY, d_id integer)",
                "CREATE TABLE cyc_d (id integer PRIMARY KEY, c_id integer REFERENCES cyc_c(id))",
                "ALTER TABLE cyc_c ADD CONSTRAINT cyc_c_d FOREIGN KEY (d_id) REFERENCES cyc_d(id)",
                "BEGIN; SET CONSTRAINTS ALL DEFERRED; INSERT INTO cyc_a VALUES (1, 1); INSERT INTO cyc_b VALUES (1, 1); COMMIT",
                "INSERT INTO cyc_c VALUES (1, NULL)", "INSERT INTO cyc_d VALUES (1, 1)", "UPDATE cyc_c SET d_id = 1");
        List<String> a = Shop.rows("cyc_a");
        List<String> b = Shop.rows("cyc_b");
        long deferrable = Shop.transaction("SET CONSTRAINTS ALL DEFERRED", "DELETE FROM cyc_a", "DELETE FROM cyc_b");
        long strict = Shop.transaction("UPDATE cyc_c SET d_id = NULL", "DELETE FROM cyc_d", "DELETE FROM cyc_c");

        JsonPath applied = Shop.restored("{\"txId\":" + deferrable + ",\"dryRun\":false}");
        assertThat(applied.getList("deferredConstraints")).containsExactlyInAnyOrder("public.cyc_a_b", "public.cyc_b_a_id_fkey");
        assertThat(Shop.rows("cyc_a")).isEqualTo(a);
        assertThat(Shop.rows("cyc_b")).isEqualTo(b);

        JsonPath refused = Shop.restore("{\"txId\":" + strict + ",\"dryRun\":false}").statusCode(422)
                .contentType("application/problem+json").extract().jsonPath();
        assertThat(refused.getString("detail")).contains("cyc_c_d").contains("not DEFERRABLE");
        assertThat(Shop.rows("cyc_c")).isEmpty();
    }

    @Test
    void tenThousandRowsAreRestoredInOneTransaction() throws Exception {
        HistoryPipeline.sql("CREATE TABLE bulk_items (id integer PRIMARY KEY, name text NOT NULL, price numeric(10,2), tags text[])",
                "INSERT INTO bulk_items SELECT i, 'item ' || i, i / 100.0, ARRAY['a', 'b' || i] FROM generate_series(1, 10000) i");
        Shop.restored("{\"txId\":" + Shop.transaction("UPDATE bulk_items SET name = name WHERE id = 1") + "}"); // history has caught up
        List<String> before = Shop.rows("bulk_items");
        long mistake = Shop.transaction("DELETE FROM bulk_items");
        long committed = System.nanoTime();
        JsonPath dry = Shop.restored("{\"txId\":" + mistake + "}");
        long planned = System.nanoTime();
        assertThat(dry.getList("statements")).hasSize(10_000);
        io.restassured.response.Response response = Shop.restore("{\"txId\":" + mistake + ",\"dryRun\":false}").statusCode(200)
                .extract().response();
        long answered = response.time(); // the request until its answer arrived, before the client reads 10,000 statements
        JsonPath applied = response.jsonPath();
        long done = System.nanoTime();
        assertThat(applied.getBoolean("applied")).isTrue();
        assertThat(Shop.rows("bulk_items")).isEqualTo(before);
        System.out.printf("restore measure: 10,000 deleted rows: commit to planned %d ms (history catching up included); "
                + "restore applied and answered in %d ms (%.0f rows/s), %d ms with the client reading the answer%n",
                (planned - committed) / 1_000_000, answered, 10_000 / (answered / 1e3), (done - planned) / 1_000_000);
    }

    /** After the mistake, with the rows the mistake removed back as they were before it. */
    private static Map<String, List<String>> expected(Map<String, List<String>> before, Map<String, List<String>> afterMistake) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        afterMistake.forEach((table, rows) -> {
            List<String> all = new ArrayList<>(rows);
            before.get(table).stream().filter(r -> !keys(rows).contains(key(r))).forEach(all::add);
            out.put(table, all.stream().sorted().toList());
        });
        return out;
    }

    private static List<String> keys(List<String> rows) {
        return rows.stream().map(RestoreIT::key).collect(Collectors.toList());
    }

    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("\"(id|order_id|line_no)\": \\d+");

    /** The key part of a row's text: its id, or order_id and line_no (and an order_id beside an id does no harm). */
    private static String key(String row) {
        return KEY.matcher(row).results().map(java.util.regex.MatchResult::group).sorted().collect(Collectors.joining(","));
    }

    private static String row(Map<String, List<String>> dump, String table, int id) {
        return dump.get(table).stream().filter(r -> r.contains("\"id\": " + id + ",")).findFirst().orElseThrow();
    }
}
