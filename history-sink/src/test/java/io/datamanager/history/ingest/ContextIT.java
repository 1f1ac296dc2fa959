package io.datamanager.history.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.history.config.HistoryConfig;
import io.datamanager.history.store.ContextStore;
import io.datamanager.history.store.PolicyStore;
import io.datamanager.history.store.VersionStore;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.Op;
import io.datamanager.model.RowKey;
import io.datamanager.testsupport.TopicReader;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The application context of transactions (issue 17) through a real Kafka and PostgreSQL: dm.context records before
 * and after their transaction's versions, merged; searched; dead-lettered when bad; neither doubled nor altered by a
 * replay or a restart; redacted when a policy names the key. Each test runs ingests of its own, on topics of its own.
 */
@QuarkusTest
@QuarkusTestResource(value = ContextResource.class, restrictToAnnotatedClass = true)
class ContextIT {
    @Inject
    Ingests ingests;
    @Inject
    DataSource dataSource;

    @AfterEach
    void stopIngests() throws InterruptedException {
        ingests.stopAll();
    }

    @Test
    void contextBeforeOrAfterItsVersionsIsShownOnEveryVersionMergedInWalOrder() {
        String topics = topics("order");
        ingests.start(topics, "g", null);
        String table = "public.ctx_orders";
        sendContext(topics, 7001, 0x7001000, "{\"user\":\"alice\",\"request\":\"r-1\"}"); // first, then its versions
        send(topics, event(table, 1, 7001, 0x7001100));
        send(topics, event(table, 2, 7001, 0x7001200));
        sendContext(topics, 7001, 0x7001300, "{\"request\":\"r-2\",\"source\":\"billing-job\"}"); // and one more after them
        send(topics, event(table, 3, 7002, 0x7002100));
        sendContext(topics, 7002, 0x7002200, "{\"user\":\"bob\"}"); // only after its versions
        send(topics, event(table, 4, 7003, 0x7003100)); // none
        send(topics, event(table, 5, 7004, 0x7004100));
        sendContext(topics, 7004, 0x7004300, "{\"user\":\"carol\"}"); // the later message arrives first
        sendContext(topics, 7004, 0x7004050, "{\"user\":\"dave\",\"note\":\"n\"}");

        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> "carol".equals(api().get("/api/history/transactions/7004")
                .then().extract().path("context.user")) && "bob".equals(api().get("/api/history/transactions/7002").then().extract()
                        .path("context.user")) && "r-2".equals(api().get("/api/history/transactions/7001").then().extract().path("context.request")));

        Map<String, Object> merged = Map.of("user", "alice", "request", "r-2", "source", "billing-job");
        api().get("/api/history?table=" + table + "&txId=7001").then().statusCode(200).body("versions.size()", equalTo(2))
                .body("versions[0].context", equalTo(merged)).body("versions[1].context", equalTo(merged));
        api().get("/api/history?table=" + table + "&txId=7002").then().body("versions[0].context", equalTo(Map.of("user", "bob")));
        api().get("/api/history?table=" + table + "&txId=7003").then().body("versions.size()", equalTo(1))
                .body("versions[0]", not(hasKey("context")));
        api().get("/api/history?table=" + table + "&txId=7004").then().body("versions[0].context", equalTo(Map.of("user", "carol", "note", "n")));
        api().get("/api/history/transactions?table=" + table).then().statusCode(200)
                .body("transactions.find { it.txId == 7001 }.context", equalTo(merged))
                .body("transactions.find { it.txId == 7003 }", not(hasKey("context")));
        api().get("/api/history/transactions/7003").then().statusCode(200).body("$", not(hasKey("context")));
        api().get("/api/history/as-of?table=" + table + "&pk.id=1&at=" + Instant.now()).then().statusCode(200)
                .body("version.context.user", equalTo("alice"));
    }

    @Test
    void contextKeyValueFindsTheVersionsAndTransactionsOfTheTransactionsThatCarryIt() {
        String topics = topics("search");
        ingests.start(topics, "g", null);
        String since = Instant.now().toString();
        String table = "public.ctx_search";
        sendContext(topics, 7101, 0x7101000, "{\"source\":\"billing-job\",\"attempt\":3}");
        send(topics, event(table, 1, 7101, 0x7101100));
        send(topics, event(table, 2, 7101, 0x7101200));
        sendContext(topics, 7102, 0x7102000, "{\"source\":\"web\",\"user\":\"alice\"}");
        send(topics, event(table, 3, 7102, 0x7102100));
        send(topics, event(table, 4, 7103, 0x7103100));
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> api().get("/api/history?table=" + table).then().extract()
                .jsonPath().getList("versions").size() == 4 && api().get("/api/history?table=" + table + "&txId=7102").then().extract()
                        .jsonPath().get("versions[0].context") != null);

        api().get("/api/history?table=" + table + "&context.source=billing-job").then().statusCode(200)
                .body("versions.pk.id", equalTo(List.of(2, 1)));
        api().get("/api/history?since=" + since + "&context.source=billing-job").then().body("versions.txId", equalTo(List.of(7101, 7101)));
        api().get("/api/history?table=" + table + "&context.attempt=3").then().body("versions.size()", equalTo(2));
        api().get("/api/history?table=" + table + "&context.source=web&context.user=alice").then().body("versions.pk.id", equalTo(List.of(3)));
        api().get("/api/history?table=" + table + "&context.source=web&context.user=bob").then().body("versions.size()", equalTo(0));
        api().get("/api/history?table=" + table + "&context.source=billing-job' OR '1'='1").then().statusCode(200)
                .body("versions.size()", equalTo(0));
        api().get("/api/history?table=" + table + "&context.attempt=1e999999").then().statusCode(200).body("versions.size()", equalTo(0));
        api().get("/api/history/transactions?table=" + table + "&context.source=billing-job").then().statusCode(200)
                .body("transactions.txId", equalTo(List.of(7101)));
        api().get("/api/history/transactions?since=" + since + "&context.user=alice").then().body("transactions.txId", equalTo(List.of(7102)));

        problem(api().get("/api/history?context.=x"), "context.");
        api().get("/api/history?context.=x").then().body("detail", org.hamcrest.Matchers.containsString("a key of the application context"));
        problem(api().get("/api/history/transactions?context.=x"), "context.");
        problem(api().get("/api/history?contxt.user=x"), "contxt.user");
        problem(api().get("/api/history/transactions?match.user=x"), "match.user");
        api().urlEncodingEnabled(false).get("/api/history?context.source=a%00b").then().statusCode(400).body("field", equalTo("context.source"));
        for (String body : List.of("{\"since\":\"" + since + "\",\"context\":{}}|context", "{\"since\":\"" + since + "\",\"context\":{\"\":\"x\"}}|context.",
                "{\"since\":\"" + since + "\",\"context\":{\"source\":{\"a\":1}}}|context.source",
                "{\"since\":\"" + since + "\",\"context\":{\"source\":null}}|context.source",
                "{\"txId\":7101,\"context\":{\"source\":\"web\"}}|txId")) {
            String[] parts = body.split("\\|");
            api().contentType("application/json").body(parts[0]).post("/api/restore").then().statusCode(400)
                    .contentType(startsWith("application/problem+json")).body("field", equalTo(parts[1]));
        }
    }

    @Test
    void aBadContextRecordIsDeadLetteredWithItsReasonWhileTheIngestGoesOn() {
        String topics = topics("bad");
        ingests.start(topics, "g", null);
        String table = "public.ctx_bad";
        sendRaw(topics, "{not json");
        sendRaw(topics, "{\"v\":1,\"lsn\":\"0/1\",\"context\":{\"user\":\"x\"}}");
        sendRaw(topics, "{\"v\":1,\"txId\":7201,\"lsn\":\"0/1\",\"context\":\"alice\"}");
        sendRaw(topics, "{\"v\":1,\"txId\":7201,\"lsn\":\"0/1\",\"context\":{\"user\":\"a\\u0000b\"}}");
        sendRaw(topics, "{\"v\":2,\"txId\":7201,\"lsn\":\"0/1\",\"context\":{}}");
        sendRaw(topics, "{\"v\":1,\"txId\":7201,\"lsn\":\"nowhere\",\"context\":{}}");
        sendContext(topics, 7201, 0x7201000, "{\"user\":\"good\"}");
        send(topics, event(table, 1, 7201, 0x7201100));

        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> "good".equals(api().get("/api/history?table=" + table)
                .then().extract().path("versions[0].context.user")));
        var letters = TopicReader.readUntil(ContextResource.bootstrap, topics + ".dlq", records -> records.size() >= 6, Duration.ofSeconds(60));
        List<String> reasons = letters.stream().map(r -> new String(r.headers().lastHeader("dm.error").value(), StandardCharsets.UTF_8)).toList();
        assertThat(reasons).hasSize(6);
        assertThat(reasons.get(0)).contains("not valid JSON");
        assertThat(reasons.get(1)).startsWith("txId:");
        assertThat(reasons.get(2)).startsWith("context:").contains("JSON object");
        assertThat(reasons.get(3)).contains("NUL");
        assertThat(reasons.get(4)).startsWith("v:");
        assertThat(reasons.get(5)).startsWith("lsn:");
        assertThat(letters).allSatisfy(r -> assertThat(new String(r.headers().lastHeader("dm.stage").value(), StandardCharsets.UTF_8))
                .isEqualTo("history"));
    }

    @Test
    void aRestartResumesWhereItCommittedAndAReplayFromTheStartNeitherDoublesNorAltersContext() throws Exception {
        String topics = topics("replay");
        String table = "public.ctx_replay";
        HistoryIngest first = ingests.start(topics, "g", null);
        sendContext(topics, 7301, 0x7301000, "{\"user\":\"alice\",\"request\":\"r-1\"}");
        sendContext(topics, 7301, 0x7301200, "{\"user\":\"bob\"}");
        send(topics, event(table, 1, 7301, 0x7301100));
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> "bob".equals(api().get("/api/history?table=" + table)
                .then().extract().path("versions[0].context.user")));
        String stored = snapshot(7301);
        Ingests.awaitCommitted(topics, "g", "changes", "context"); // a stop then loses no commit
        ingests.stop(first);

        // while it is down: the first message again, altered (a replay must not change what was stored), and a new transaction
        sendContext(topics, 7301, 0x7301000, "{\"user\":\"mallory\"}");
        sendContext(topics, 7302, 0x7302000, "{\"user\":\"carol\"}");
        send(topics, event(table, 2, 7302, 0x7302100));
        double before = storedMessages();
        ingests.start(topics, "g", null); // the same group: resumes after what the first one committed
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> storedMessages() - before >= 2
                && "carol".equals(api().get("/api/history?table=" + table + "&txId=7302").then().extract().path("versions[0].context.user")));
        assertThat(storedMessages() - before).as("only the two records written while it was down were read").isEqualTo(2);
        api().get("/api/history?table=" + table + "&txId=7301").then().body("versions[0].context",
                equalTo(Map.of("user", "bob", "request", "r-1")));
        assertThat(snapshot(7301)).as("the transaction stored before the restart, after it").isEqualTo(stored);
        String resumed = snapshot(7399);
        stopIngests();

        double again = storedMessages();
        ingests.start(topics, "from-the-start", null); // a new group reads both topics from the start: everything is a replay
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> storedMessages() - again >= 4);
        assertThat(snapshot(7399)).as("the history database after the replay").isEqualTo(resumed);
    }

    @Test
    void aContextKeyAPolicyRedactsIsNeverStoredInClearAndItsClearValueStillFindsIt() throws Exception {
        String topics = topics("redact");
        ingests.start(topics, "g", null);
        String table = "public.ctx_people";
        send(topics, event(table, 1, 7400, 0x7400100)); // history knows a table by its first change: then it takes a policy
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> api().get("/api/history?table=" + table).then().extract().statusCode() == 200);
        api().contentType("application/json").body("{\"redactedColumns\":[\"context.\"]}").put("/api/history/policies/" + table)
                .then().statusCode(400).body("field", equalTo("redactedColumns[0]"));
        api().contentType("application/json").body("{\"redactedColumns\":[\"context.employee\"]}").put("/api/history/policies/" + table)
                .then().statusCode(200);
        try {
            sendContext(topics, 7401, 0x7401000, "{\"employee\":\"Grace Hopper\",\"source\":\"hr-app\"}");
            send(topics, event(table, 2, 7401, 0x7401100));
            // a transaction touching only a table without a policy: context is per transaction, the key is redacted all the same
            sendContext(topics, 7402, 0x7402000, "{\"employee\":\"Grace Hopper\"}");
            send(topics, event("public.ctx_other", 1, 7402, 0x7402100));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> api().get("/api/history?table=public.ctx_other").then().extract()
                    .jsonPath().get("versions[0].context") != null && api().get("/api/history?table=" + table + "&txId=7401").then()
                            .extract().jsonPath().get("versions[0].context") != null);

            api().get("/api/history?table=" + table + "&txId=7401").then().body("versions[0].context.employee", startsWith("redacted:"))
                    .body("versions[0].context.source", equalTo("hr-app"));
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM dm_context_message WHERE tx_id IN (7401, 7402)), "
                            + "(SELECT count(*) FROM dm_context_message WHERE context::text LIKE '%Grace%'), "
                            + "(SELECT count(*) FROM dm_context WHERE context::text LIKE '%Grace%')")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
                assertThat(rs.getInt(2) + rs.getInt(3)).as("rows holding the clear value").isZero();
            }
            api().get("/api/history?table=" + table + "&context.employee=Grace Hopper").then().body("versions.txId", equalTo(List.of(7401)));
            api().get("/api/history/transactions?context.employee=Grace Hopper").then().body("transactions.txId", equalTo(List.of(7402, 7401)));
            api().get("/api/history/transactions?context.employee=Ada").then().body("transactions.size()", equalTo(0));
        } finally {
            api().delete("/api/history/policies/" + table).then().statusCode(204);
        }
    }

    private double storedMessages() {
        return ingests.registry.counter("dm.history.context.messages.stored").count();
    }

    /** What history holds of this test's transactions from 7300 to {@code last}: every message, the merged contexts, the versions. */
    private String snapshot(long last) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String sql : List.of("SELECT 'messages', tx_id, lsn, commit_ts, context, recorded_at FROM dm_context_message WHERE tx_id BETWEEN 7300 AND " + last + " ORDER BY 2, 3",
                    "SELECT 'contexts', tx_id, context, commit_ts, updated_at FROM dm_context WHERE tx_id BETWEEN 7300 AND " + last + " ORDER BY 2",
                    "SELECT '|versions', seq, event_id, tx_id, after FROM dm_version WHERE tx_id BETWEEN 7300 AND " + last + " ORDER BY 2")) {
                try (ResultSet rs = s.executeQuery(sql)) {
                    while (rs.next()) {
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            out.append(rs.getString(i)).append(' ');
                        }
                        out.append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    /** A topic prefix of this test's own, with its dm.changes, dm.context and dm.dlq created. */
    private static String topics(String name) {
        return Ingests.topics(ContextResource.PREFIX + "." + name, 3);
    }

    private static ChangeEvent event(String table, int id, long txId, long lsn) {
        ObjectNode pk = Json.mapper().createObjectNode().put("id", id);
        Lsn at = new Lsn(lsn);
        Instant now = Instant.now();
        return new ChangeEvent(1, RowKey.eventId(table, pk, at), table, Op.INSERT, pk, null,
                Json.mapper().createObjectNode().put("id", id).put("name", "row " + id), List.of(), true, List.of(), at.toString(), txId, now, now);
    }

    private static void send(String prefix, ChangeEvent event) {
        produce(prefix + ".changes", event.key(), event.toJson());
    }

    /** A dm.context record as the streams-app writes it (contract point 3). */
    private static void sendContext(String prefix, long txId, long lsn, String context) {
        String value = "{\"v\":1,\"txId\":" + txId + ",\"lsn\":\"" + new Lsn(lsn) + "\",\"commitTs\":\"" + Instant.now() + "\",\"context\":"
                + context + "}";
        produce(prefix + ".context", Long.toString(txId), value.getBytes(StandardCharsets.UTF_8));
    }

    private static void sendRaw(String prefix, String value) {
        produce(prefix + ".context", "7201", value.getBytes(StandardCharsets.UTF_8));
    }

    private static void produce(String topic, String key, byte[] value) {
        Properties props = new Properties();
        props.put("bootstrap.servers", ContextResource.bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void problem(io.restassured.response.Response response, String field) {
        response.then().statusCode(400).contentType(startsWith("application/problem+json")).body("field", equalTo(field));
    }

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + ContextResource.TOKEN);
    }
}
