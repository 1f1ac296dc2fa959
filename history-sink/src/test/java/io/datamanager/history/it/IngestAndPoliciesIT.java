package io.datamanager.history.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.Op;
import io.datamanager.model.RowKey;
import io.datamanager.testsupport.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Ingest from a real dm.changes topic: idempotence, dead letters, and the per-table policies. */
@QuarkusTest
@QuarkusTestResource(value = IngestOnlyResource.class, restrictToAnnotatedClass = true)
class IngestAndPoliciesIT {
    private static long lsn = 0x2000000;

    @Test
    void aReplayedEventIsStoredOnceAndAPoisonRecordIsDeadLetteredWhileIngestGoesOn() {
        ChangeEvent insert = event("public.replays", 1, Op.INSERT, null, row(1, "a"), Instant.now());
        send(insert.toJson());
        send(insert.toJson());
        send("{not a change event".getBytes(StandardCharsets.UTF_8));
        send(event("public.replays", 2, Op.INSERT, null, row(2, "b"), Instant.now()).toJson());

        awaitVersions("public.replays", 2);
        api().get("/api/history?table=public.replays&pk.id=1").then().body("versions.size()", equalTo(1));
        var letters = TopicReader.readUntil(IngestOnlyResource.bootstrap, IngestOnlyResource.PREFIX + ".dlq",
                records -> !records.isEmpty(), Duration.ofSeconds(60));
        assertThat(new String(letters.get(0).headers().lastHeader("dm.stage").value(), StandardCharsets.UTF_8)).isEqualTo("history");
        assertThat(new String(letters.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("{not a change event");
    }

    @Test
    void emojiSurviveIngestWhereverTheCopyStreamIsCut() {
        // each run of 33,000 is 66,000 UTF-16 units, longer than a 65,536-char chunk, and the two runs start an odd
        // distance apart: wherever the chunk boundaries fall, one of them cuts a surrogate pair (issue 12: "??")
        String value = "\uD83D\uDE80".repeat(33_000) + "x" + "\uD83D\uDE80".repeat(33_000);
        send(event("public.emoji", 1, Op.UPDATE, row(1, "old"), row(1, value), Instant.now()).toJson());

        awaitVersions("public.emoji", 1);
        String after = api().get("/api/history?table=public.emoji&pk.id=1").then().statusCode(200).extract()
                .path("versions[0].after.name");
        assertThat(after.equals(value)).as("stored exactly; '??' at %d", after.indexOf("??")).isTrue();
    }

    @Test
    void untrackedTablesAreNotRecordedAndRedactedColumnsAreStoredAsAHashThatStillMatches() {
        // without a source connection a table is known by its first change: only then does it take a policy
        send(event("public.untracked", 1, Op.INSERT, null, row(1, "x"), Instant.now()).toJson());
        send(event("public.people", 1, Op.INSERT, null, row(1, "Ada"), Instant.now()).toJson());
        awaitVersions("public.untracked", 1);
        awaitVersions("public.people", 1);
        api().contentType("application/json").body("{\"tracking\":false}").put("/api/history/policies/public.untracked")
                .then().statusCode(200).body("tracking", equalTo(false));
        api().contentType("application/json").body("{\"redactedColumns\":[\"name\"]}").put("/api/history/policies/public.people")
                .then().statusCode(200);
        send(event("public.untracked", 2, Op.INSERT, null, row(2, "y"), Instant.now()).toJson());
        send(event("public.people", 2, Op.INSERT, null, row(2, "Grace Hopper"), Instant.now()).toJson());

        awaitVersions("public.people", 2);
        api().get("/api/history?table=public.people&pk.id=2").then().body("versions[0].after.name", containsString("redacted:"))
                .body("versions[0].after.name", org.hamcrest.Matchers.not(containsString("Grace")));
        api().get("/api/history?table=public.people&match.name=Grace Hopper").then().body("versions.size()", equalTo(1));
        api().get("/api/history?table=public.people&match.name=Ada").then().body("versions.size()", equalTo(0));
        api().get("/api/history?table=public.untracked").then().statusCode(200).body("versions.size()", equalTo(1))
                .body("versions[0].pk.id", equalTo(1));
    }

    @Test
    void aPolicyIsOnlyForATableHistoryKnowsAndCanBeRemovedAgain() {
        api().contentType("application/json").body("{\"tracking\":false}").put("/api/history/policies/public.never_seen")
                .then().statusCode(400).contentType("application/problem+json").body("field", equalTo("table"))
                .body("detail", containsString("no connection to the source database"));
        send(event("public.removable", 1, Op.INSERT, null, row(1, "a"), Instant.now()).toJson());
        awaitVersions("public.removable", 1);
        api().contentType("application/json").body("{\"retentionDays\":7}").put("/api/history/policies/public.removable")
                .then().statusCode(200);
        api().delete("/api/history/policies/public.removable").then().statusCode(204);
        api().get("/api/history/policies/public.removable").then().statusCode(200).body("retentionDays", equalTo(null))
                .body("tracking", equalTo(true));
        api().delete("/api/history/policies/public.removable").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void retentionKeepsTheNewestVersionsOfEachRowAndLeavesAnAuditEntry() {
        Instant old = Instant.now().minus(40, ChronoUnit.DAYS);
        send(event("public.kept", 1, Op.INSERT, null, row(1, "v1"), old).toJson());
        send(event("public.kept", 1, Op.UPDATE, row(1, "v1"), row(1, "v2"), old.plusSeconds(1)).toJson());
        send(event("public.kept", 1, Op.UPDATE, row(1, "v2"), row(1, "v3"), old.plusSeconds(2)).toJson());
        send(event("public.kept", 2, Op.INSERT, null, row(2, "recent"), Instant.now()).toJson());
        awaitVersions("public.kept", 4);

        api().contentType("application/json").body("{\"retentionDays\":30,\"minVersions\":1}").put("/api/history/policies/public.kept")
                .then().statusCode(200);
        api().contentType("application/json").body("{\"retentionDays\":0}").put("/api/history/policies/public.kept")
                .then().statusCode(400).body("field", equalTo("retentionDays"));
        api().post("/api/history/retention/run").then().statusCode(200);

        api().get("/api/history?table=public.kept&pk.id=1").then().body("versions.size()", equalTo(1))
                .body("versions[0].after.name", equalTo("v3"));
        api().get("/api/history?table=public.kept&pk.id=2").then().body("versions.size()", equalTo(1));
        api().get("/api/history/policies/public.kept/audit").then().body("[0].action", equalTo("retention"))
                .body("[0].detail.deleted", equalTo(2));
    }

    @Test
    void erasingARowRemovesAllItsVersionsAndIsLogged() {
        send(event("public.erased", 7, Op.INSERT, null, row(7, "secret"), Instant.now()).toJson());
        send(event("public.erased", 7, Op.UPDATE, row(7, "secret"), row(7, "secret2"), Instant.now()).toJson());
        awaitVersions("public.erased", 2);

        api().delete("/api/history/rows?table=public.erased&pk.id=7&reason=gdpr-request-17").then().statusCode(200)
                .body("erasedVersions", equalTo(2));
        api().get("/api/history?table=public.erased&pk.id=7").then().body("versions.size()", equalTo(0));
        api().get("/api/history/policies/public.erased/audit").then().body("[0].action", equalTo("erase"))
                .body("[0].detail.requestedBy", equalTo("gdpr-request-17"));
    }

    @Test
    void withoutASourceConnectionATableIsKnownFromHistoryAndAnUnseenOneIsRefusedSayingWhy() {
        send(event("public.seen_only", 1, Op.INSERT, null, row(1, "a"), Instant.now()).toJson(),
                "{\"id\":\"int32|int4\",\"name\":\"string|text\",\"tags\":\"array<string>|_text\"}");
        awaitVersions("public.seen_only", 1);

        api().get("/api/tables/public.seen_only").then().statusCode(200).body("columnsFrom", equalTo("history"))
                .body("columns.name", equalTo(List.of("id", "name", "tags")))
                .body("columns.type", equalTo(List.of("int4", "text", "text[]")))
                .body("columns.primaryKey", equalTo(List.of(true, false, false)))
                .body("versions", equalTo(1)).body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("published")));
        api().get("/api/tables/public.never_changed").then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("no connection to the source database (DM_RESTORE_JDBC_URL)"));
    }

    private static ChangeEvent event(String table, int id, Op op, ObjectNode before, ObjectNode after, Instant commit) {
        ObjectNode pk = Json.mapper().createObjectNode().put("id", id);
        Lsn at = new Lsn(lsn += 0x100);
        return new ChangeEvent(1, RowKey.eventId(table, pk, at), table, op, pk, before, after,
                op == Op.UPDATE ? List.of("name") : List.of(), true, List.of(), at.toString(), lsn, commit, commit);
    }

    private static ObjectNode row(int id, String name) {
        return Json.mapper().createObjectNode().put("id", id).put("name", name);
    }

    private static void send(byte[] value) {
        send(value, null);
    }

    /** Sends a dm.changes record, with a dm.types header when {@code types} is given. */
    private static void send(byte[] value, String types) {
        Properties props = new Properties();
        props.put("bootstrap.servers", IngestOnlyResource.bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            var record = new ProducerRecord<>(IngestOnlyResource.PREFIX + ".changes", "k".getBytes(StandardCharsets.UTF_8), value);
            if (types != null) {
                record.headers().add("dm.types", types.getBytes(StandardCharsets.UTF_8));
            }
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + IngestOnlyResource.TOKEN);
    }

    private static void awaitVersions(String table, int count) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            var response = api().get("/api/history?table=" + table + "&limit=1000").then().extract();
            return response.statusCode() == 200 && response.jsonPath().getList("versions").size() >= count;
        });
    }
}
