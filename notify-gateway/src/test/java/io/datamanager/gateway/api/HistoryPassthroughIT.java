package io.datamanager.gateway.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.Op;
import io.datamanager.model.RowKey;
import io.datamanager.testsupport.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The history routes answer on the gateway's base URL, from a real history-sink, guarded by the gateway's tokens. */
@QuarkusTest
@QuarkusTestResource(value = HistoryService.class, restrictToAnnotatedClass = true)
class HistoryPassthroughIT {

    @Test
    void historyRoutesAnswerThroughTheGateway() {
        given().header("Authorization", "Bearer " + HistoryService.READER).get("/api/tables").then().statusCode(200);
        given().header("Authorization", "Bearer " + HistoryService.READER).get("/api/history?table=public.nope&limit=5").then()
                .statusCode(400).contentType("application/problem+json").body("field", equalTo("table"));
        given().header("Authorization", "Bearer " + HistoryService.WRITER).contentType("application/json")
                .body("{\"table\":\"public.x\"}").post("/api/restore").then().statusCode(400).body("field", equalTo("pk"));
        given().header("Authorization", "Bearer " + HistoryService.READER).get("/api/history/policies/public.orders").then()
                .statusCode(200).body("tracking", equalTo(true));
        given().header("Authorization", "Bearer " + HistoryService.READER).get("/api/history/transactions?limit=5").then()
                .statusCode(200).body("transactions", org.hamcrest.Matchers.notNullValue());
        given().header("Authorization", "Bearer " + HistoryService.READER).get("/api/history/transactions?tabel=public.orders").then()
                .statusCode(400).contentType("application/problem+json").body("field", equalTo("tabel"));
        given().header("Authorization", "Bearer " + HistoryService.READER).get("/api/history/transactions/42").then()
                .statusCode(404).contentType("application/problem+json");
        given().get("/api/history/transactions").then().statusCode(401);
    }

    @Test
    void aTableOnlyHistoryKnowsIsCheckedAgainstItsRecordedColumnsAndPreviewedOnRecentHistory() throws Exception {
        ObjectNode pk = Json.mapper().createObjectNode().put("id", 5);
        ObjectNode created = pk.deepCopy().put("status", "new").put("note", "a");
        ObjectNode paid = created.deepCopy().put("status", "paid");
        ObjectNode noted = paid.deepCopy().put("note", "b");
        send(change(pk, Op.INSERT, null, created, List.of()));
        send(change(pk, Op.UPDATE, created, paid, List.of("status")));
        send(change(pk, Op.UPDATE, paid, noted, List.of("note")));
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .header("Authorization", "Bearer " + HistoryService.READER).get("/api/history?table=public.orders").then()
                .statusCode(200).body("versions.size()", equalTo(3)));

        RequestSpecification writer = given().header("Authorization", "Bearer " + HistoryService.WRITER).contentType("application/json");
        writer.body("{\"table\":\"public.unseen\"}").put("/api/subscriptions/unseen").then().statusCode(400)
                .body("field", equalTo("table"));
        given().header("Authorization", "Bearer " + HistoryService.WRITER).contentType("application/json")
                .body("{\"table\":\"public.orders\",\"columns\":[\"colour\"]}").put("/api/subscriptions/colour").then()
                .statusCode(400).body("field", equalTo("columns[0]"));
        given().header("Authorization", "Bearer " + HistoryService.WRITER).contentType("application/json")
                .body("{\"table\":\"public.orders\",\"ops\":[\"update\"],\"columns\":[\"status\"]}")
                .put("/api/subscriptions/status-changes").then().statusCode(201);
        // this gateway keeps the default: webhooks may not reach loopback or private networks
        given().header("Authorization", "Bearer " + HistoryService.WRITER).contentType("application/json")
                .body("{\"table\":\"public.orders\",\"delivery\":{\"webhook\":{\"url\":\"http://127.0.0.1:9/hook\"}}}")
                .put("/api/subscriptions/internal").then().statusCode(400).body("field", equalTo("delivery.webhook.url"));

        given().header("Authorization", "Bearer " + HistoryService.READER).post("/api/subscriptions/status-changes/preview").then()
                .statusCode(200).body("examined", equalTo(3)).body("matched.size()", equalTo(1))
                .body("matched[0].after.status", equalTo("paid"));
        given().header("Authorization", "Bearer " + HistoryService.READER).contentType("application/json")
                .body("{\"table\":\"public.orders\",\"ops\":[\"update\"],\"columns\":[\"note\"]}")
                .post("/api/subscriptions/status-changes/preview").then().statusCode(200)
                .body("matched.size()", equalTo(1)).body("matched[0].after.note", equalTo("b"));
    }

    @Test
    void aTableCreatedInTheSourceIsSubscribableBeforeItsFirstChangeAndOneThatExistsNowhereIsNot() {
        writer().body("{\"table\":\"public.cc_items\",\"ops\":[\"insert\",\"update\"],\"columns\":[\"price\"],"
                + "\"filters\":[{\"column\":\"name\",\"op\":\"not_null\"}]}").put("/api/subscriptions/new-items").then().statusCode(201);
        // context.<key> names a key of the application context, not a column: not checked against the table
        writer().body("{\"table\":\"public.cc_items\",\"filters\":[{\"column\":\"context.source\",\"op\":\"eq\","
                + "\"value\":\"billing-job\"}]}").put("/api/subscriptions/billing-items").then().statusCode(201);
        writer().body("{\"table\":\"public.cc_items\",\"columns\":[\"prise\"]}").put("/api/subscriptions/typo").then()
                .statusCode(400).contentType("application/problem+json").body("field", equalTo("columns[0]"))
                .body("detail", containsString("'prise' is not a column of public.cc_items [id, name, price]"));
        writer().body("{\"table\":\"public.cc_itemz\"}").put("/api/subscriptions/nowhere").then()
                .statusCode(400).body("field", equalTo("table"))
                .body("detail", containsString("'public.cc_itemz' is not a table of the source database, and history holds no change of it"));
        writer().body("{\"table\":\"public.hidden\"}").put("/api/subscriptions/hidden").then()
                .statusCode(400).body("field", equalTo("table"))
                .body("detail", containsString("not in the publication 'dm_publication'"));
        given().header("Authorization", "Bearer " + HistoryService.READER).get("/api/subscriptions/typo").then().statusCode(404);

        given().header("Authorization", "Bearer " + HistoryService.READER).get("/api/tables/public.cc_items").then().statusCode(200)
                .body("columnsFrom", equalTo("catalog")).body("columns.name", equalTo(List.of("id", "name", "price")))
                .body("columns.type", equalTo(List.of("bigint", "text", "numeric(10,2)"))).body("published", equalTo(true))
                .body("versions", equalTo(0));
    }

    @Test
    void theGatewaysOpenApiDescribesTheTableRoute() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/api/tables/{table}'.get.responses.'200'.content.'application/json'.schema.$ref",
                        equalTo("#/components/schemas/TableSchema"))
                .body("components.schemas.TableSchema.properties", org.hamcrest.Matchers.hasKey("columnsFrom"))
                .body("components.schemas.TableSchema.properties", org.hamcrest.Matchers.hasKey("columns"));
    }

    /** Every history route is in the served document, with its parameters and the schema of its answer, and the document is valid. */
    @Test
    void theGatewaysOpenApiDescribesEveryHistoryRouteAndIsValid() {
        String document = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        var options = new io.swagger.v3.parser.core.models.ParseOptions();
        options.setResolve(true);
        var parsed = new io.swagger.v3.parser.OpenAPIV3Parser().readContents(document, null, options);
        org.assertj.core.api.Assertions.assertThat(parsed.getMessages()).as("validator messages").isEmpty();
        var api = parsed.getOpenAPI();
        java.util.Map<String, String> routes = new java.util.LinkedHashMap<>();
        routes.put("get /api/tables", "TableEntryList");
        routes.put("get /api/history", "HistoryPage");
        routes.put("get /api/history/as-of", "AsOf");
        routes.put("get /api/history/transactions", "TransactionPage");
        routes.put("get /api/history/transactions/{txId}", "Transaction");
        routes.put("get /api/history/policies/{table}", "Policy");
        routes.put("put /api/history/policies/{table}", "Policy");
        routes.put("delete /api/history/policies/{table}", null);
        routes.put("get /api/history/policies/{table}/audit", "AuditEntryList");
        routes.put("post /api/history/retention/run", "RetentionRun");
        routes.put("delete /api/history/rows", "Erased");
        routes.put("delete /api/history/tables/{table}", "TableRemoved");
        routes.put("post /api/restore", "RestorePlan");
        org.assertj.core.api.Assertions.assertThat(api.getPaths().keySet()).as("no catch-all").noneMatch(p -> p.contains("{rest}"));
        routes.forEach((route, schema) -> {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1);
            var item = api.getPaths().get(path);
            org.assertj.core.api.Assertions.assertThat(item).as(route).isNotNull();
            var operation = switch (method) {
                case "get" -> item.getGet();
                case "put" -> item.getPut();
                case "post" -> item.getPost();
                default -> item.getDelete();
            };
            org.assertj.core.api.Assertions.assertThat(operation).as(route).isNotNull();
            org.assertj.core.api.Assertions.assertThat(operation.getResponses()).as(route).containsKey("401");
            if (schema != null) {
                var ok = operation.getResponses().get("200").getContent().get("application/json").getSchema();
                org.assertj.core.api.Assertions.assertThat(ok.get$ref()).as(route).isEqualTo("#/components/schemas/" + schema);
                org.assertj.core.api.Assertions.assertThat(api.getComponents().getSchemas()).as(route).containsKey(schema);
            }
        });
        org.assertj.core.api.Assertions.assertThat(api.getPaths().get("/api/history/transactions").getGet().getParameters())
                .extracting(p -> p.getName()).containsExactlyInAnyOrder("table", "since", "until", "limit", "cursor", "context.{key}");
        org.assertj.core.api.Assertions.assertThat(api.getPaths().get("/api/history").getGet().getParameters())
                .extracting(p -> p.getName()).contains("table", "txId", "pk.{column}", "match.{column}", "context.{key}", "cursor");
        org.assertj.core.api.Assertions.assertThat(api.getPaths().get("/api/history").getGet().getResponses().get("200").getHeaders())
                .containsKeys("DM-Complete-Through-LSN", "DM-Complete-Through-Commit");
        org.assertj.core.api.Assertions.assertThat(api.getComponents().getSchemas().get("TransactionSummary").getProperties())
                .containsKeys("txId", "commitTs", "tables", "rows", "context");
        org.assertj.core.api.Assertions.assertThat(api.getComponents().getSchemas().get("Version").getProperties()).containsKey("context");
    }

    @Test
    void aTransactionsContextIsShownAndSearchedThroughTheGateway() throws Exception {
        ObjectNode pk = Json.mapper().createObjectNode().put("id", 1);
        Lsn at = new Lsn(0x6000100);
        ChangeEvent change = new ChangeEvent(1, RowKey.eventId("public.ctx_orders", pk, at), "public.ctx_orders", Op.INSERT, pk, null,
                pk.deepCopy().put("status", "new"), List.of(), true, List.of(), at.toString(), 9901L, Instant.now(), Instant.now());
        Properties props = new Properties();
        props.put("bootstrap.servers", TestKafka.shared().bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(HistoryService.PREFIX + ".changes", change.key(), change.toJson())).get();
            producer.send(new ProducerRecord<>(HistoryService.PREFIX + ".context", "9901", ("{\"v\":1,\"txId\":9901,\"lsn\":\"0/6000000\","
                    + "\"context\":{\"user\":\"alice\",\"source\":\"billing-job\"}}").getBytes(StandardCharsets.UTF_8))).get();
        }
        RequestSpecification reader = given().header("Authorization", "Bearer " + HistoryService.READER);
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().header("Authorization", "Bearer " + HistoryService.READER)
                .get("/api/history?context.source=billing-job").then().statusCode(200).body("versions.size()", equalTo(1))
                .body("versions[0].context.user", equalTo("alice")));
        reader.get("/api/history/transactions?context.user=alice").then().statusCode(200).body("transactions[0].txId", equalTo(9901))
                .body("transactions[0].context.source", equalTo("billing-job"));
        given().header("Authorization", "Bearer " + HistoryService.READER).get("/api/history/transactions/9901").then().statusCode(200)
                .body("context.user", equalTo("alice"));
        given().header("Authorization", "Bearer " + HistoryService.READER).get("/api/history?context.=x").then().statusCode(400)
                .contentType("application/problem+json").body("field", equalTo("context."));
    }

    private static RequestSpecification writer() {
        return given().header("Authorization", "Bearer " + HistoryService.WRITER).contentType("application/json");
    }

    private static long lsn = 0x5000000;

    private static ChangeEvent change(ObjectNode pk, Op op, ObjectNode before, ObjectNode after, List<String> changed) {
        Lsn at = new Lsn(lsn += 0x100);
        return new ChangeEvent(1, RowKey.eventId("public.orders", pk, at), "public.orders", op, pk, before, after, changed, true,
                List.of(), at.toString(), lsn, Instant.now(), Instant.now());
    }

    private static void send(ChangeEvent event) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", TestKafka.shared().bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(HistoryService.PREFIX + ".changes", event.key(), event.toJson());
            record.headers().add("dm.types", "{\"id\":\"int32|int4\",\"status\":\"string|text\",\"note\":\"string|text\"}"
                    .getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        }
    }

    @Test
    void theGatewaysOwnTokensAndScopesApply() {
        given().get("/api/history").then().statusCode(401);
        given().header("Authorization", "Bearer " + HistoryService.READER).contentType("application/json")
                .body("{\"txId\":1}").post("/api/restore").then().statusCode(403);
    }
}
