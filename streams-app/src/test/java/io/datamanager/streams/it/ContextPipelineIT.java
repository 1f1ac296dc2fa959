package io.datamanager.streams.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.DeadLetterHeaders;
import io.datamanager.model.TransactionContext;
import io.datamanager.testsupport.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Application context end to end on real PostgreSQL, Debezium Server and Kafka: {@code dm.context} messages written in
 * transactions reach the changes after them in {@code dm.changes} and a subscription filtering on {@code context.source},
 * every valid message becomes a {@code dm.context} record, and bad ones are dead-lettered while changes flow on.
 */
@QuarkusTest
@QuarkusTestResource(value = ContextPipelineResource.class, restrictToAnnotatedClass = true)
class ContextPipelineIT {
    private static final String ALICE = "{\"user\":\"alice\",\"source\":\"billing-job\"}";

    @Test
    void contextReachesChangesSubscriptionsAndDmContextAndBadContextIsDeadLetteredWhileChangesFlow() throws Exception {
        ContextPipelineResource.transaction(emit(ALICE), insert(1), insert(2)); // message first
        ContextPipelineResource.transaction(insert(3), emit(ALICE), insert(4)); // in the middle
        ContextPipelineResource.transaction(insert(5), emit("{\"user\":\"carol\",\"source\":\"billing-job\"}")); // last
        ContextPipelineResource.transaction(emit("{\"user\":\"alice\",\"source\":\"web\"}"), insert(7),
                emit("{\"source\":\"billing-job\",\"request\":\"r-81\"}"), insert(8)); // two, merging
        ContextPipelineResource.transaction(emit("not json"), emit("[1,2]"), insert(10)); // bad
        ContextPipelineResource.transaction(emit("{\"note\":\"" + "x".repeat(5000) + "\"}"), insert(11)); // too large
        ContextPipelineResource.transaction(insert(12));

        Map<Integer, ChangeEvent> changes = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : read(".changes", rs -> rs.size() >= 11)) {
            ChangeEvent e = ChangeEvent.fromJson(r.value());
            changes.put(e.pk().get("id").asInt(), e);
        }
        assertThat(context(changes, 0)).isNull();
        assertThat(context(changes, 1)).isEqualTo(ALICE);
        assertThat(context(changes, 2)).isEqualTo(ALICE);
        assertThat(context(changes, 3)).as("written before the message: out at once, without it").isNull();
        assertThat(context(changes, 4)).isEqualTo(ALICE);
        assertThat(context(changes, 5)).as("the message came last").isNull();
        assertThat(context(changes, 7)).isEqualTo("{\"user\":\"alice\",\"source\":\"web\"}");
        assertThat(context(changes, 8)).isEqualTo("{\"user\":\"alice\",\"source\":\"billing-job\",\"request\":\"r-81\"}");
        assertThat(context(changes, 10)).isNull();
        assertThat(context(changes, 11)).as("too large: dropped, the change flows").isNull();
        assertThat(context(changes, 12)).isNull();

        List<TransactionContext> contexts = read(".context", rs -> rs.size() >= 5).stream()
                .map(r -> {
                    TransactionContext c = TransactionContext.fromJson(r.value());
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(Long.toString(c.txId()));
                    return c;
                }).toList();
        assertThat(contexts).hasSize(5);
        assertThat(contexts).filteredOn(c -> c.txId() == changes.get(5).txId()).singleElement()
                .satisfies(c -> assertThat(c.context().toString()).isEqualTo("{\"user\":\"carol\",\"source\":\"billing-job\"}"));
        assertThat(contexts).filteredOn(c -> c.txId() == changes.get(8).txId()).extracting(c -> c.context().toString())
                .containsExactly("{\"user\":\"alice\",\"source\":\"web\"}", "{\"source\":\"billing-job\",\"request\":\"r-81\"}");

        List<ConsumerRecord<byte[], byte[]>> letters = read(".dlq", rs -> rs.size() >= 3);
        assertThat(letters).hasSize(3).allSatisfy(l -> assertThat(header(l, DeadLetterHeaders.STAGE)).isEqualTo("context"));
        assertThat(letters).extracting(l -> header(l, DeadLetterHeaders.ERROR)).satisfiesExactlyInAnyOrder(
                e -> assertThat(e).contains("not JSON"), e -> assertThat(e).contains("must be a JSON object"),
                e -> assertThat(e).contains("more than the limit of 4096"));

        List<ConsumerRecord<byte[], byte[]>> billing = read(".sub." + ContextPipelineResource.BILLING, rs -> rs.size() >= 4);
        assertThat(billing).extracting(r -> ChangeEvent.fromJson(r.value()).pk().get("id").asInt()).containsExactlyInAnyOrder(1, 2, 4, 8);

        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("dm_streams_context_rejected_total{reason=\"too_large\"} 2.0"))
                .body(containsString("dm_streams_context_rejected_total{reason=\"not_json\"} 1.0"))
                .body(containsString("dm_streams_context_rejected_total{reason=\"not_an_object\"} 1.0"));
    }

    private static String context(Map<Integer, ChangeEvent> changes, int id) {
        assertThat(changes).containsKey(id);
        return changes.get(id).context() == null ? null : changes.get(id).context().toString();
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, java.util.function.Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
        return TopicReader.readUntil(ContextPipelineResource.bootstrap, ContextPipelineResource.PREFIX + topic, done, Duration.ofSeconds(120));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static String emit(String context) {
        return "SELECT pg_logical_emit_message(true, 'dm.context', '" + context + "')";
    }

    private static String insert(int id) {
        return "INSERT INTO orders VALUES (" + id + ", 'new')";
    }
}
