package io.datamanager.streams.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Op;
import io.datamanager.testsupport.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * End to end on real PostgreSQL, Debezium and Kafka: updates under REPLICA IDENTITY DEFAULT reach
 * {@code dm.changes} with full before and after images including the real TOASTed value, and a
 * subscription on one column receives exactly the matching changes on {@code dm.sub.<id>}.
 */
@QuarkusTest
@QuarkusTestResource(value = PipelineResource.class, restrictToAnnotatedClass = true)
class PipelineIT {

    @Test
    void fullImagesReachDmChangesAndAOneColumnSubscriptionGetsExactlyItsChanges() throws Exception {
        PipelineResource.sql(
                "UPDATE articles SET title = 'renamed' WHERE id = 1",
                "UPDATE articles SET status = 'published' WHERE id = 1",
                "UPDATE articles SET title = 'other' WHERE id = 2",
                "INSERT INTO articles VALUES (3, 'new', 'draft', 'short')",
                "DELETE FROM articles WHERE id = 2");
        String body1 = PipelineResource.query("SELECT body FROM articles WHERE id = 1");
        TopicReader.readUntil(PipelineResource.bootstrap, PipelineResource.PREFIX + ".cdc.public.articles",
                raw -> raw.size() >= 7, Duration.ofSeconds(120));

        List<ChangeEvent> changes = read(PipelineResource.PREFIX + ".changes", events -> articles(events).size() >= 7)
                .stream().filter(e -> e.table().equals("public.articles")).toList();
        assertThat(changes).extracting(ChangeEvent::op)
                .containsExactlyInAnyOrder(Op.SNAPSHOT, Op.SNAPSHOT, Op.UPDATE, Op.UPDATE, Op.UPDATE, Op.INSERT, Op.DELETE);

        ChangeEvent rename = changes.stream().filter(e -> e.op() == Op.UPDATE && e.changed().contains("title")
                && e.pk().get("id").asInt() == 1).findFirst().orElseThrow();
        assertThat(rename.complete()).isTrue();
        assertThat(rename.before().get("title").asText()).isEqualTo("title 1");
        assertThat(rename.before().get("body").asText()).isEqualTo(body1).hasSize(32_000);
        assertThat(rename.after().get("body").asText()).isEqualTo(body1);
        assertThat(rename.changed()).containsExactly("title");

        ChangeEvent delete = changes.stream().filter(e -> e.op() == Op.DELETE).findFirst().orElseThrow();
        assertThat(delete.before().get("title").asText()).isEqualTo("other");
        assertThat(delete.complete()).isTrue();

        // every change is in dm.changes, and routing commits in the same transaction: the subscription has all it gets
        List<ChangeEvent> routed = read(PipelineResource.PREFIX + ".sub." + PipelineResource.SUBSCRIPTION, events -> !events.isEmpty());
        assertThat(routed).singleElement().satisfies(e -> {
            assertThat(e.op()).isEqualTo(Op.UPDATE);
            assertThat(e.changed()).containsExactly("status");
            assertThat(e.before().get("status").asText()).isEqualTo("draft");
            assertThat(e.after().get("status").asText()).isEqualTo("published");
        });

        given().when().get("/q/health/ready").then().statusCode(200);
        given().when().get("/q/health/live").then().statusCode(200).body(containsString("RUNNING"));
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("dm_streams_records_processed_total"))
                .body(containsString("dm_streams_end_to_end_lag_seconds"));
    }

    @Test
    void aTableCreatedWhileRunningIsPickedUpWithoutARestart() throws Exception {
        PipelineResource.sql("CREATE TABLE late_table (id integer PRIMARY KEY, v text)",
                "INSERT INTO late_table VALUES (1, 'hello')");
        List<ChangeEvent> changes = read(PipelineResource.PREFIX + ".changes",
                events -> events.stream().anyMatch(e -> e.table().equals("public.late_table")));
        assertThat(changes).filteredOn(e -> e.table().equals("public.late_table")).singleElement()
                .satisfies(e -> assertThat(e.after().get("v").asText()).isEqualTo("hello"));
    }

    @Test
    void aCaptureCrashLosesNothingAndDoublesNothingInDmChanges() throws Exception {
        insertArticles(100, 120);
        read(PipelineResource.PREFIX + ".changes", events -> inserted(events, 100, 160).size() >= 20);
        PipelineResource.crashCapture();
        insertArticles(120, 140); // while capture is down
        PipelineResource.restartCapture();
        insertArticles(140, 160);

        List<ChangeEvent> inserts = inserted(read(PipelineResource.PREFIX + ".changes",
                events -> inserted(events, 100, 160).stream().map(e -> e.pk().get("id").asInt()).distinct().count() == 60), 100, 160);
        // replays of capture (offsets not flushed before the kill) are dropped by the streams-app; none may show here
        assertThat(inserts).extracting(e -> e.pk().get("id").asInt())
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(100, 160).boxed().toList());
    }

    /**
     * Issue 12: capture killed (SIGKILL) while rows are updated and deleted by interleaving transactions, twice,
     * and a tail of its output sent again as a replay does: {@code dm.changes} and the subscription topic the
     * webhooks come from hold every change exactly once, and every image equals, byte for byte, what the
     * source's own audit trigger recorded, so no replay and no placeholder got through.
     */
    @Test
    void aCaptureKilledWhileRowsAreDeletedNeitherDoublesNorInventsAChange() throws Exception {
        Ledger ledger = new Ledger(PipelineResource.database, 1_200);
        String raw = PipelineResource.PREFIX + ".cdc.public.ledger";
        String bootstrap = PipelineResource.bootstrap;
        ledger.create();
        ledger.insertAll();
        double droppedBefore = replaysDropped();
        CompletableFuture<Void> churn = CompletableFuture.runAsync(() -> {
            try {
                ledger.churn();
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        });
        // capture has sent the inserts and is in the churn (on a slow machine it may not have created the topic yet)
        waitFor(() -> ledger.audited("DELETE") >= 150 && KafkaProbe.size(bootstrap, raw) > 1_200);
        PipelineResource.crashCapture(); // capture is behind the deletes: it dies with records sent and offsets not committed
        waitFor(() -> ledger.audited("DELETE") >= 300);
        PipelineResource.restartCapture();
        long atRestart = KafkaProbe.size(bootstrap, raw);
        waitFor(() -> KafkaProbe.size(bootstrap, raw) >= atRestart + 300);
        PipelineResource.crashCapture(); // again, while it catches up on what it missed
        PipelineResource.restartCapture();
        churn.get(3, TimeUnit.MINUTES);
        List<Ledger.Audited> audit = ledger.audit();
        waitFor(() -> RawChanges.distinct(KafkaProbe.readAll(bootstrap, raw)) >= audit.size());

        // and a replay of the tail of every partition, with rows long deleted in it, exactly as capture sends one
        List<ConsumerRecord<byte[], byte[]>> tail = RawChanges.tails(KafkaProbe.readAll(bootstrap, raw), 150);
        KafkaProbe.resend(bootstrap, tail);
        waitFor(() -> KafkaProbe.caughtUp(bootstrap, "dm-streams-" + PipelineResource.PREFIX, raw));

        List<ConsumerRecord<byte[], byte[]>> rawAll = KafkaProbe.readAll(bootstrap, raw);
        List<ConsumerRecord<byte[], byte[]>> changes = KafkaProbe.readAll(bootstrap, PipelineResource.PREFIX + ".changes").stream()
                .filter(r -> new String(r.key(), StandardCharsets.UTF_8).startsWith("public.ledger{")).toList();
        List<ConsumerRecord<byte[], byte[]>> delivered = KafkaProbe.readAll(bootstrap,
                PipelineResource.PREFIX + ".sub." + PipelineResource.LEDGER_SUBSCRIPTION);
        List<ChangeEvent> events = changes.stream().map(r -> ChangeEvent.fromJson(r.value())).toList();
        long replays = rawAll.size() - RawChanges.distinct(rawAll);
        double dropped = replaysDropped() - droppedBefore;
        System.out.printf("capture crash: %d audited changes, %d raw records, %d replays (%d of them resent by the test), "
                + "%.0f dropped, %d in dm.changes (%d distinct ids), %d on dm.sub.%s%n", audit.size(), rawAll.size(), replays,
                tail.size(), dropped, events.size(), events.stream().map(ChangeEvent::id).distinct().count(), delivered.size(),
                PipelineResource.LEDGER_SUBSCRIPTION);

        assertThat(events).extracting(ChangeEvent::id).doesNotHaveDuplicates();
        assertThat(events).allSatisfy(e -> assertThat(e.missing()).as("%s %s", e.op(), e.pk()).isEmpty());
        assertThat(Ledger.history(events)).isEqualTo(Ledger.auditedHistory(audit));
        assertThat(delivered).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrderElementsOf(changes.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList());
        assertThat(replays).as("replays capture and the test made").isGreaterThanOrEqualTo(tail.size());
        assertThat(RawChanges.movedReplays(rawAll)).as("capture replays a change at the position it had (source.sequence)").isZero();
        assertThat(dropped).as("every replay dropped, nothing else").isEqualTo(replays);
    }

    private static void waitFor(java.util.concurrent.Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100)).until(condition);
    }

    private static double replaysDropped() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("dm_streams_replays_dropped_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static void insertArticles(int from, int to) throws Exception {
        PipelineResource.sql("INSERT INTO articles SELECT i, 'bulk ' || i, 'draft', 'x' FROM generate_series(" + from + ", "
                + (to - 1) + ") i");
    }

    private static List<ChangeEvent> inserted(List<ChangeEvent> events, int from, int to) {
        return events.stream().filter(e -> e.table().equals("public.articles") && e.op() == Op.INSERT
                && e.pk().get("id").asInt() >= from && e.pk().get("id").asInt() < to).toList();
    }

    private static List<ChangeEvent> articles(List<ChangeEvent> events) {
        return events.stream().filter(e -> e.table().equals("public.articles")).toList();
    }

    private static List<ChangeEvent> read(String topic, Predicate<List<ChangeEvent>> done) {
        List<ConsumerRecord<byte[], byte[]>> records = TopicReader.readUntil(PipelineResource.bootstrap, topic,
                rs -> done.test(parse(rs)), Duration.ofSeconds(120));
        return parse(records);
    }

    private static List<ChangeEvent> parse(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> ChangeEvent.fromJson(r.value())).toList();
    }
}
