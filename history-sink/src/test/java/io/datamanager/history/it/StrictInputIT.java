package io.datamanager.history.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.Op;
import io.datamanager.model.RowKey;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Input is answered as the contract says: a value of the wrong type, an unknown parameter, text PostgreSQL cannot
 * hold or a time it cannot hold is a 400 problem naming the field, and the framework's own refusals are problems too.
 */
@QuarkusTest
@QuarkusTestResource(value = IngestOnlyResource.class, restrictToAnnotatedClass = true)
class StrictInputIT {
    private static final String TABLE = "public.strict_rows";
    private static final long TX = 4242;
    private static boolean seeded;

    @BeforeEach
    void seed() {
        if (seeded) {
            return;
        }
        seeded = true;
        send(event(1, Op.INSERT, null, row(1, "new"), TX));
        send(event(2, Op.INSERT, null, row(2, "new"), TX));
        send(event(1, Op.UPDATE, row(1, "new"), row(1, "paid"), TX + 1));
        // until the first version is stored the table is unknown (a 404 problem, no versions): wait for all three
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
            var answer = api().get("/api/history?table=" + TABLE).then().extract();
            return answer.statusCode() == 200 && answer.jsonPath().getList("versions").size() == 3;
        });
    }

    @Test
    void historyFiltersByTransaction() {
        api().get("/api/history?table=" + TABLE + "&txId=" + TX).then().statusCode(200).body("versions.size()", equalTo(2))
                .body("versions.txId", equalTo(List.of((int) TX, (int) TX)));
        api().get("/api/history?txId=" + (TX + 1)).then().statusCode(200).body("versions.size()", equalTo(1))
                .body("versions[0].op", equalTo("update"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tx=4242|tx",
        "txid=4242|txid",
        "table=public.strict_rows&table=public.x|table",
        "table=public.strict_rows&pk.idd=1|pk.idd",
        "table=public.strict_rows%00|table",
        "table=public.strict_rows&pk.id=1%00|pk.id",
        "table=public.strict_rows&changed=st%00atus|changed",
        "table=public.strict_rows&match.status=%00|match.status",
        "table=public.strict_rows&match.status=%22a%5Cu0000%22|match.status",
        "table=public.strict_rows&match.st%00atus=x|query",
        "table=%FF|table",
        "since=%2B999999999-12-31T23:59:59Z|since",
        "until=-5000-01-01T00:00:00Z|until",
        "limit=0|limit",
        "limit=-1|limit",
        "limit=1001|limit",
        "limit=%EF%BC%91|limit",
        "limit=|limit",
        "txId=%EF%BC%91|txId",
        "txId=1.5|txId",
        "op=UPDATE|op",
    })
    void aMalformedSearchIsRefusedNamingTheParameter(String query, String field) {
        problem(api().urlEncodingEnabled(false).get("/api/history?" + query), 400).body("field", equalTo(field));
    }

    @Test
    void textThatLooksLikeJsonWithTrailingWordsIsMatchedAsText() {
        api().get("/api/history?table=" + TABLE + "&match.status=1 OR 1=1").then().statusCode(200).body("versions.size()", equalTo(0));
        api().get("/api/history?table=" + TABLE + "&match.status=paid").then().statusCode(200).body("versions.size()", equalTo(1));
    }

    @Test
    void asOfRefusesTimesPostgresCannotHoldAndAMisspeltKey() {
        problem(api().urlEncodingEnabled(false).get("/api/history/as-of?table=" + TABLE + "&at=%2B999999999-12-31T23:59:59Z"), 400)
                .body("field", equalTo("at"));
        problem(api().get("/api/history/as-of?table=" + TABLE + "&pk.idd=1&at=" + Instant.now()), 400).body("field", equalTo("pk.idd"));
        problem(api().delete("/api/history/rows?table=" + TABLE + "&pk.idd=1"), 400).body("field", equalTo("pk.idd"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"tracking\":\"false\"}|tracking",
        "{\"tracking\":0}|tracking",
        "{\"retentionDays\":\"90\"}|retentionDays",
        "{\"retentionDays\":1.5}|retentionDays",
        "{\"retentionDays\":2000000}|retentionDays",
        "{\"redactedColumns\":[1]}|redactedColumns[0]",
        "{\"redactedColumns\":[null]}|redactedColumns[0]",
        "{\"redactedColumns\":[\"status\",\"nosuch\"]}|redactedColumns[1]",
        "{\"redactedColumns\":[\"a\\u0000\"]}|redactedColumns[0]",
        "{\"tracking\":true,\"tracking\":false}|tracking",
        "{\"bogus\":1}|bogus",
        "null|body",
        "[]|body",
        "{\"tracking\":true} trailing|body",
    })
    void aPolicyOfWrongTypesOrUnknownColumnsIsRefusedAndNothingIsSaved(String body, String field) {
        problem(api().contentType("application/json").body(body).put("/api/history/policies/" + TABLE), 400).body("field", equalTo(field));
        api().get("/api/history/policies/" + TABLE).then().statusCode(200).body("tracking", equalTo(true))
                .body("retentionDays", equalTo(null)).body("redactedColumns.size()", equalTo(0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "null|body",
        "{\"table\":\"public.strict_rows\",\"pk\":{\"idd\":1}}|pk.idd",
        "{\"table\":\"public.nosuch\",\"pk\":{\"id\":1}}|table",
        "{\"table\":\"public.strict_rows\",\"pk\":{\"id\":1},\"dryRun\":\"false\"}|dryRun",
        "{\"table\":\"public.strict_rows\",\"pk\":{\"id\":1},\"at\":\"+999999999-12-31T23:59:59Z\"}|at",
        "{\"table\":\"public.strict_rows\",\"pk\":{\"id\":1},\"at\":1700000000}|at",
        "{\"txId\":\"4242\"}|txId",
    })
    void aMalformedRestoreIsRefusedNamingTheField(String body, String field) {
        problem(api().contentType("application/json").body(body).post("/api/restore"), 400).body("field", equalTo(field));
    }

    @Test
    void theFrameworksOwnRefusalsAreProblemsToo() {
        problem(api().post("/api/history"), 405);
        problem(api().contentType("text/plain").body("{}").put("/api/history/policies/" + TABLE), 415);
        problem(api().config(RestAssuredConfig.config().encoderConfig(EncoderConfig.encoderConfig()
                .appendDefaultContentCharsetToContentTypeIfUndefined(false))).contentType("application/json; charset=iso-8859-1")
                .body("{}".getBytes(StandardCharsets.ISO_8859_1)).put("/api/history/policies/" + TABLE), 415).body("field", equalTo("Content-Type"));
        problem(api().header("X-Big", "x".repeat(20_000)).get("/api/tables"), 431);
        problem(api().get("/api/tables?x=" + "y".repeat(10_000)), 414);
        problem(api().urlEncodingEnabled(false).get("/api/tables/public.x;drop"), 400).body("field", equalTo("path"));
        problem(api().urlEncodingEnabled(false).get("/api/tables/public.%00"), 400).body("field", equalTo("path"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/tables?bogus=1", "/api/history/policies/public.strict_rows?x=1", "/api/history/retention/run?now=1"})
    void everyRouteRefusesParametersItDoesNotTake(String path) {
        var request = api();
        problem(path.contains("retention") ? request.post(path) : request.get(path), 400)
                .body("detail", containsString("is not a parameter of this route"));
    }

    private static ValidatableResponse problem(io.restassured.response.Response response, int status) {
        return response.then().statusCode(status).contentType(startsWith("application/problem+json")).body("status", equalTo(status))
                .body("title", org.hamcrest.Matchers.not(org.hamcrest.Matchers.emptyOrNullString()));
    }

    private static ChangeEvent event(int id, Op op, ObjectNode before, ObjectNode after, long txId) {
        ObjectNode pk = Json.mapper().createObjectNode().put("id", id);
        Lsn at = new Lsn(0x7000000L + txId * 0x100 + id);
        return new ChangeEvent(1, RowKey.eventId(TABLE, pk, at), TABLE, op, pk, before, after,
                op == Op.UPDATE ? List.of("status") : List.of(), true, List.of(), at.toString(), txId, Instant.now(), Instant.now());
    }

    private static ObjectNode row(int id, String status) {
        return Json.mapper().createObjectNode().put("id", id).put("status", status);
    }

    private static void send(ChangeEvent event) {
        Properties props = new Properties();
        props.put("bootstrap.servers", IngestOnlyResource.bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            var record = new ProducerRecord<>(IngestOnlyResource.PREFIX + ".changes", event.key().getBytes(StandardCharsets.UTF_8),
                    event.toJson());
            record.headers().add("dm.types", "{\"id\":\"int32|int4\",\"status\":\"string|text\"}".getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + IngestOnlyResource.TOKEN);
    }
}
