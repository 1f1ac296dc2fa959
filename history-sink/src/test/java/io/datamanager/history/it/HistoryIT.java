package io.datamanager.history.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * On real PostgreSQL, Debezium, Kafka and streams-app: a scripted session is in history version for
 * version with full before and after images; a mistaken update, a deleted row and a whole transaction are
 * restored through the API, the live tables are right afterwards, and the restores are history too. A row
 * edited after the mistake is not restored over unless forced, whichever way the restore names its state.
 */
@QuarkusTest
@QuarkusTestResource(value = HistoryPipeline.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HistoryIT {
    private static Instant beforeMistake;
    private static String notes;

    private static boolean sessionDone;

    /** Once, before the first test (RestAssured knows Quarkus' port only from the first test on). */
    @BeforeEach
    void session() throws Exception {
        if (sessionDone) {
            return;
        }
        sessionDone = true;
        notes = HistoryPipeline.query("SELECT notes FROM customers WHERE id = 1");
        HistoryPipeline.sql("INSERT INTO customers VALUES (2, 'Bob', 'bob@example.org', NULL)");
        beforeMistake = Instant.parse(HistoryPipeline.query("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', "
                + "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
        HistoryPipeline.sql("UPDATE customers SET email = 'wrong@example.org' WHERE id = 1",
                "BEGIN; INSERT INTO customers VALUES (3, 'Cy', 'cy@example.org', 'vip');"
                        + " INSERT INTO orders VALUES (10, 3, 'new', 12.50, '2026-11-23');"
                        + " INSERT INTO orders VALUES (11, 3, 'new', 7.00, '2026-11-24'); COMMIT",
                "UPDATE orders SET status = 'paid' WHERE id = 10",
                "DELETE FROM customers WHERE id = 2");
        awaitVersions("public.customers", 5);
        awaitVersions("public.orders", 3);
    }

    @Test
    @Order(1)
    void sessionIsInHistoryVersionForVersionWithFullImages() {
        JsonPath customers = api().get("/api/history?table=public.customers").then().statusCode(200).extract().jsonPath();
        assertThat(customers.getList("versions.op")).containsExactly("delete", "insert", "update", "insert", "snapshot");

        Map<String, Object> update = customers.getMap("versions[2]");
        assertThat(update).containsEntry("complete", true).containsEntry("changed", List.of("email"));
        assertThat(customers.getString("versions[2].before.email")).isEqualTo("ada@example.org");
        assertThat(customers.getString("versions[2].after.email")).isEqualTo("wrong@example.org");
        assertThat(customers.getString("versions[2].before.notes")).isEqualTo(notes).hasSize(32_000);
        assertThat(customers.getString("versions[2].after.notes")).isEqualTo(notes);

        assertThat(customers.getString("versions[0].before.name")).as("a delete keeps the whole row").isEqualTo("Bob");
        assertThat(customers.getString("versions[0].before.email")).isEqualTo("bob@example.org");

        JsonPath orders = api().get("/api/history?table=public.orders&pk.id=10").then().statusCode(200).extract().jsonPath();
        assertThat(orders.getList("versions.op")).containsExactly("update", "insert");
        assertThat(orders.getString("versions[1].after.total")).isEqualTo("12.50");
        assertThat(orders.getString("versions[1].after.placed")).isEqualTo("2026-11-23");
        assertThat(orders.getString("versions[0].before.status")).isEqualTo("new");
        long tx = orders.getLong("versions[1].txId");
        JsonPath txVersions = api().get("/api/history?table=public.customers&pk.id=3").then().extract().jsonPath();
        assertThat(txVersions.getLong("versions[0].txId")).as("one transaction").isEqualTo(tx);
    }

    @Test
    @Order(2)
    void searchAsOfAndTablesAnswerWhatUsersAsk() {
        api().get("/api/history?table=public.orders&changed=status").then().statusCode(200)
                .body("versions.size()", equalTo(1)).body("versions[0].after.status", equalTo("paid"));
        api().get("/api/history?table=public.customers&match.email=bob@example.org").then().statusCode(200)
                .body("versions.size()", equalTo(2));
        api().get("/api/history?table=public.orders&match.total=12.50").then().statusCode(200)
                .body("versions.size()", equalTo(2));
        api().get("/api/history?table=public.customers&limit=2").then().statusCode(200)
                .body("versions.size()", equalTo(2)).body("nextCursor", org.hamcrest.Matchers.notNullValue());
        String cursor = api().get("/api/history?table=public.customers&limit=2").then().extract().path("nextCursor");
        api().get("/api/history?table=public.customers&limit=2&cursor=" + cursor).then().statusCode(200)
                .body("versions.op", equalTo(List.of("update", "insert")));

        api().get("/api/history/as-of?table=public.customers&pk.id=1&at=" + beforeMistake).then().statusCode(200)
                .body("row.email", equalTo("ada@example.org"));
        api().get("/api/history/as-of?table=public.customers&pk.id=2&at=" + Instant.now()).then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString("did not exist"));
        List<String> names = api().get("/api/history/as-of?table=public.customers&at=" + beforeMistake).then().statusCode(200)
                .extract().jsonPath().getList("name");
        assertThat(names).containsExactlyInAnyOrder("Ada", "Bob");

        api().get("/api/tables").then().statusCode(200).body("find { it.table == 'public.orders' }.versions", equalTo(3));
    }

    @Test
    @Order(2)
    void captureSlotShowsTheWalItRetains() throws Exception {
        String slot = HistoryPipeline.query("SELECT slot_name FROM pg_replication_slots WHERE database = current_database()");
        String current = HistoryPipeline.query("SELECT pg_current_wal_lsn()::text");
        var answer = api().get("/api/history/source/slot").then().statusCode(200)
                .body("slot", equalTo(slot)).body("exists", equalTo(true)).body("active", equalTo(true))
                .body("walStatus", equalTo("reserved")).extract().jsonPath();
        assertThat(answer.getLong("retainedWalBytes")).as("WAL the slot keeps").isGreaterThanOrEqualTo(0L);
        assertThat(answer.getLong("unconfirmedBytes")).as("not more than it retains").isLessThanOrEqualTo(answer.getLong("retainedWalBytes"));
        assertThat(io.datamanager.model.Lsn.parse(answer.getString("currentLsn")).compareTo(io.datamanager.model.Lsn.parse(current)))
                .as("read after our own look").isGreaterThanOrEqualTo(0);
        api().get("/api/history/source/slot?slot=other").then().statusCode(400).body("field", equalTo("slot"));
        given().get("/api/history/source/slot").then().statusCode(401);
    }

    @Test
    @Order(3)
    void badInputAndMissingTokenAreRefusedWithProblemDetails() {
        api().get("/api/history?table=public.customers&since=yesterday").then().statusCode(400)
                .contentType("application/problem+json").body("field", equalTo("since"));
        api().get("/api/history?table=public.nope").then().statusCode(400).body("field", equalTo("table"));
        api().get("/api/history?table=public.customers&op=upsert").then().statusCode(400).body("field", equalTo("op"));
        api().get("/api/history?table=public.customers&pk.nope=1").then().statusCode(400).body("field", equalTo("pk.nope"));
        api().get("/api/history/as-of?table=public.customers&pk.id=1&at=noon").then().statusCode(400).body("field", equalTo("at"));
        api().body("{\"table\":\"public.customers\"}").contentType("application/json").post("/api/restore").then()
                .statusCode(400).body("field", equalTo("pk"));
        given().get("/api/history").then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Bearer wrong").get("/api/tables").then().statusCode(401);
        given().get("/q/health").then().statusCode(200);
    }

    @Test
    @Order(4)
    void mistakenUpdateIsRestoredAndTheRestoreBecomesHistory() throws Exception {
        String body = "{\"table\":\"public.customers\",\"pk\":{\"id\":1},\"at\":\"" + beforeMistake + "\"}";
        JsonPath dry = api().body(body).contentType("application/json").post("/api/restore").then().statusCode(200).extract().jsonPath();
        assertThat(dry.getBoolean("applied")).isFalse();
        assertThat(dry.getList("conflicts")).isEmpty();
        assertThat(dry.getString("statements[0].sql")).isEqualTo(
                "UPDATE \"public\".\"customers\" SET \"email\" = CAST(? AS text) WHERE \"id\" = CAST(? AS integer)");
        assertThat(dry.getList("statements[0].params")).containsExactly("ada@example.org", "1");
        assertThat(HistoryPipeline.query("SELECT email FROM customers WHERE id = 1")).as("a dry run changes nothing")
                .isEqualTo("wrong@example.org");

        api().body("{\"table\":\"public.customers\",\"pk\":{\"id\":1},\"at\":\"" + beforeMistake + "\",\"dryRun\":false}")
                .contentType("application/json").post("/api/restore").then().statusCode(200).body("applied", equalTo(true));
        assertThat(HistoryPipeline.query("SELECT email FROM customers WHERE id = 1")).isEqualTo("ada@example.org");
        awaitVersions("public.customers", 6);
        api().get("/api/history?table=public.customers&pk.id=1&limit=1").then()
                .body("versions[0].op", equalTo("update")).body("versions[0].after.email", equalTo("ada@example.org"))
                .body("versions[0].before.email", equalTo("wrong@example.org"));
    }

    @Test
    @Order(5)
    void deletedRowIsPutBack() throws Exception {
        api().body("{\"table\":\"public.customers\",\"pk\":{\"id\":2},\"dryRun\":false}").contentType("application/json")
                .post("/api/restore").then().statusCode(200).body("applied", equalTo(true))
                .body("statements[0].sql", containsString("INSERT INTO \"public\".\"customers\""));
        assertThat(HistoryPipeline.query("SELECT name || ' ' || email FROM customers WHERE id = 2")).isEqualTo("Bob bob@example.org");
        awaitVersions("public.customers", 7);
        api().get("/api/history?table=public.customers&pk.id=2&limit=1").then().body("versions[0].op", equalTo("insert"));
    }

    @Test
    @Order(6)
    void transactionRestoreIsRefusedOnConflictsThenAppliedWhenForcedInForeignKeySafeOrder() throws Exception {
        long tx = api().get("/api/history?table=public.customers&pk.id=3").then().extract().jsonPath().getLong("versions[0].txId");
        String request = "{\"txId\":" + tx + ",\"dryRun\":false}";
        JsonPath refused = api().body(request).contentType("application/json").post("/api/restore").then().statusCode(409)
                .contentType("application/problem+json").extract().jsonPath();
        assertThat(refused.getList("restore.conflicts.reason")).containsExactly("changed-later");
        assertThat(refused.getInt("restore.conflicts[0].pk.id")).isEqualTo(10);
        assertThat(refused.getString("restore.conflicts[0].actual.status")).as("the live row").isEqualTo("paid");
        assertThat(refused.getString("restore.conflicts[0].expected.status")).as("as the transaction left it").isEqualTo("new");
        assertThat(refused.getList("restore.conflicts[0].laterVersions.after.status")).containsExactly("paid");
        assertThat(HistoryPipeline.query("SELECT count(*) FROM orders")).as("nothing applied").isEqualTo("2");

        JsonPath applied = api().body(request.replace("}", ",\"force\":true}")).contentType("application/json")
                .post("/api/restore").then().statusCode(200).extract().jsonPath();
        assertThat(applied.getList("statements.sql", String.class)).containsExactly(
                "DELETE FROM \"public\".\"orders\" WHERE \"id\" = CAST(? AS integer)",
                "DELETE FROM \"public\".\"orders\" WHERE \"id\" = CAST(? AS integer)",
                "DELETE FROM \"public\".\"customers\" WHERE \"id\" = CAST(? AS integer)");
        assertThat(HistoryPipeline.query("SELECT count(*) FROM orders")).isEqualTo("0");
        assertThat(HistoryPipeline.query("SELECT count(*) FROM customers WHERE id = 3")).isEqualTo("0");
        awaitVersions("public.orders", 5);
        JsonPath again = api().body("{\"txId\":" + tx + "}").contentType("application/json").post("/api/restore").then()
                .statusCode(200).extract().jsonPath();
        assertThat(again.getList("alreadyInState.pk.id")).as("every row is before the transaction again").containsExactlyInAnyOrder(10, 11, 3);
        assertThat(again.getList("conflicts")).isEmpty();
    }

    @Test
    @Order(8)
    void rowRestoreByVersionIdRefusesRowsEditedAfterTheMistakeUnlessForcedAndRestoresTheOthersExactly() throws Exception {
        FiveOrders orders = FiveOrders.create(100);
        restoreEachOfTheFive(orders, id -> "\"versionId\":" + orders.insertVersion(id));
    }

    @Test
    @Order(9)
    void rowRestoreByTimeRefusesRowsEditedAfterTheMistakeUnlessForcedAndRestoresTheOthersExactly() throws Exception {
        FiveOrders orders = FiveOrders.create(200);
        restoreEachOfTheFive(orders, id -> "\"table\":\"public.sales_orders\",\"pk\":{\"id\":" + id + "},\"at\":\""
                + orders.beforeMistake + "\"");
    }

    /** {@code target}: the JSON members that say which row and state, for an order id. */
    private static void restoreEachOfTheFive(FiveOrders orders, java.util.function.IntFunction<String> target) throws Exception {
        for (int id : orders.edited()) {
            String live = orders.live(id);
            JsonPath refused = restore("{" + target.apply(id) + ",\"dryRun\":false}").statusCode(409)
                    .contentType("application/problem+json").extract().jsonPath();
            assertThat(refused.getList("restore.conflicts.reason")).as("order %d", id).containsExactly("changed-later");
            assertThat(refused.getString("restore.conflicts[0].actual.status")).as("live values").isEqualTo("cancelled");
            assertThat(refused.getString("restore.conflicts[0].actual.note")).isEqualTo(orders.editedNote(id));
            assertThat(refused.getString("restore.conflicts[0].expected.status")).as("as the mistake left it").isEqualTo("cancelled");
            assertThat(refused.getList("restore.conflicts[0].laterVersions")).as("the edit after the mistake").hasSize(1);
            assertThat(refused.getLong("restore.conflicts[0].laterVersions[0].versionId")).isEqualTo(orders.editVersion(id));
            assertThat(refused.getString("restore.conflicts[0].laterVersions[0].after.note")).isEqualTo(orders.editedNote(id));
            assertThat(orders.live(id)).as("nothing written to order %d", id).isEqualTo(live);
        }
        for (int id : orders.untouched()) {
            JsonPath done = restore("{" + target.apply(id) + ",\"dryRun\":false}").statusCode(200).extract().jsonPath();
            assertThat(done.getBoolean("applied")).isTrue();
            assertThat(done.getList("conflicts")).isEmpty();
            assertThat(orders.live(id)).as("order %d, every column", id).isEqualTo(orders.original(id));
        }
        for (int id : orders.edited()) {
            JsonPath forced = restore("{" + target.apply(id) + ",\"dryRun\":false,\"force\":true}").statusCode(200).extract().jsonPath();
            assertThat(forced.getBoolean("applied")).isTrue();
            assertThat(forced.getList("conflicts.reason")).containsExactly("changed-later");
            assertThat(orders.live(id)).as("order %d, every column", id).isEqualTo(orders.original(id));
        }
        for (int id : orders.all()) {
            JsonPath again = restore("{" + target.apply(id) + "}").statusCode(200).extract().jsonPath();
            assertThat(again.getList("alreadyInState.pk.id")).as("order %d is in that state already", id).containsExactly(id);
            assertThat(again.getList("conflicts")).isEmpty();
            assertThat(again.getList("statements")).isEmpty();
        }
    }

    private static io.restassured.response.ValidatableResponse restore(String body) {
        return api().body(body).contentType("application/json").post("/api/restore").then();
    }

    @Test
    @Order(8)
    void aTableWithNoChangeYetIsKnownFromTheSourceCatalogAndATableThatExistsNowhereIsNot() throws Exception {
        HistoryPipeline.sql("CREATE TABLE cc_items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2))",
                "CREATE VIEW cheap_items AS SELECT * FROM cc_items WHERE price < 10");
        JsonPath items = api().get("/api/tables/public.cc_items").then().statusCode(200).extract().jsonPath();
        assertThat(items.getString("columnsFrom")).isEqualTo("catalog");
        assertThat(items.getList("columns.name")).containsExactly("id", "name", "price");
        assertThat(items.getList("columns.type")).containsExactly("bigint", "text", "numeric(10,2)");
        assertThat(items.getList("columns.primaryKey")).containsExactly(true, false, false);
        assertThat(items.getList("columns.nullable")).containsExactly(false, false, true);
        assertThat(items.getBoolean("published")).as("capture's publication is FOR ALL TABLES").isTrue();
        assertThat(items.getLong("versions")).isZero();

        api().get("/api/tables/public.customers").then().statusCode(200).body("columnsFrom", equalTo("catalog"))
                .body("columns.name", equalTo(List.of("id", "name", "email", "notes")))
                .body("versions", org.hamcrest.Matchers.greaterThan(0));
        api().get("/api/tables/public.cc_itemz").then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("'public.cc_itemz' is not a table of the source database"));
        api().get("/api/tables/public.cheap_items").then().statusCode(404).body("detail", containsString("is a view"));
    }

    @Test
    @Order(10)
    void aTableDroppedAtTheSourceKeepsItsHistoryIsMarkedDroppedAndItsHistoryCanBeRemovedWithAnAudit() throws Exception {
        HistoryPipeline.sql("CREATE TABLE gone_items (id integer PRIMARY KEY, name text)",
                "INSERT INTO gone_items VALUES (1, 'one'), (2, 'two')", "UPDATE gone_items SET name = 'uno' WHERE id = 1");
        awaitVersions("public.gone_items", 3);
        api().get("/api/tables").then().statusCode(200).body("find { it.table == 'public.gone_items' }.dropped", equalTo(false))
                .body("find { it.table == 'public.customers' }.dropped", equalTo(false));
        HistoryPipeline.sql("DROP TABLE gone_items");

        JsonPath tables = api().get("/api/tables").then().statusCode(200).extract().jsonPath();
        assertThat(tables.getBoolean("find { it.table == 'public.gone_items' }.dropped")).isTrue();
        Instant droppedAt = Instant.parse(tables.getString("find { it.table == 'public.gone_items' }.droppedAt"));
        assertThat(tables.getBoolean("find { it.table == 'public.customers' }.dropped")).isFalse();
        assertThat(api().get("/api/tables").then().extract().jsonPath().getString("find { it.table == 'public.gone_items' }.droppedAt"))
                .as("when it was first seen gone").isEqualTo(droppedAt.toString());
        api().get("/api/history?table=public.gone_items").then().statusCode(200).body("versions.size()", equalTo(3));
        api().get("/api/history/as-of?table=public.gone_items&pk.id=1&at=" + Instant.now()).then().statusCode(200)
                .body("row.name", equalTo("uno"));
        api().get("/api/tables/public.gone_items").then().statusCode(200).body("columnsFrom", equalTo("history"));

        api().queryParam("reason", "dropped at the source").delete("/api/history/tables/public.gone_items").then().statusCode(200)
                .body("table", equalTo("public.gone_items")).body("removedVersions", equalTo(3));
        api().get("/api/history?table=public.gone_items").then().statusCode(400).body("field", equalTo("table"));
        assertThat(api().get("/api/tables").then().extract().jsonPath().getList("table")).doesNotContain("public.gone_items");
        JsonPath audit = api().get("/api/history/policies/public.gone_items/audit").then().statusCode(200).extract().jsonPath();
        assertThat(audit.getString("[0].action")).isEqualTo("remove-table");
        assertThat(audit.getInt("[0].detail.deleted")).isEqualTo(3);
        assertThat(audit.getString("[0].detail.requestedBy")).isEqualTo("dropped at the source");
        api().delete("/api/history/tables/public.gone_items").then().statusCode(404).contentType("application/problem+json");
        api().delete("/api/history/tables/public.customers?reasn=x").then().statusCode(400).body("field", equalTo("reasn"));
        given().delete("/api/history/tables/public.customers").then().statusCode(401);
        api().get("/api/history?table=public.customers&limit=1").then().statusCode(200).body("versions.size()", equalTo(1));
    }

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + HistoryPipeline.TOKEN);
    }

    private static void awaitVersions(String table, int count) {
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() ->
                api().get("/api/history?table=" + table + "&limit=1000").then().extract().statusCode() == 200
                        && api().get("/api/history?table=" + table + "&limit=1000").then().extract().jsonPath()
                                .getList("versions").size() >= count);
    }

    @Test
    @Order(7)
    void theIngestGroupCommitsPastTransactionMarkersSoItsLagReachesZero() {
        var props = new java.util.Properties();
        props.put("bootstrap.servers", io.datamanager.testsupport.TestKafka.shared().bootstrapServers());
        try (var admin = org.apache.kafka.clients.admin.Admin.create(props)) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                var committed = admin.listConsumerGroupOffsets("dm-history-" + HistoryPipeline.PREFIX).partitionsToOffsetAndMetadata().get();
                var latest = new java.util.HashMap<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec>();
                committed.keySet().forEach(p -> latest.put(p, org.apache.kafka.clients.admin.OffsetSpec.latest()));
                assertThat(committed).as("the group has read dm.changes").isNotEmpty();
                admin.listOffsets(latest).all().get().forEach((partition, end) -> assertThat(committed.get(partition).offset())
                        .as("committed offset of " + partition + " (the streams-app writes it in transactions)").isEqualTo(end.offset()));
            });
        }
    }
}
