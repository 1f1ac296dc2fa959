package io.datamanager.streams.topology;

import static io.datamanager.streams.topology.Pipeline.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.TransactionContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Application context through the topology: capture's header onto the change, messages onto dm.context or dm.dlq. */
class ContextTest {
    private final Pipeline p = new Pipeline();

    @AfterEach
    void close() {
        p.close();
    }

    @Test
    void theHeaderBecomesTheContextOfTheChangeAndReachesSubscriptionsFilteringOnIt() {
        p.rule("billing", "{\"id\":\"billing\",\"table\":\"public.orders\",\"filters\":[{\"column\":\"context.source\",\"op\":\"eq\","
                + "\"value\":\"billing-job\"}]}");
        change(1, "\"{\\\"user\\\":\\\"alice\\\",\\\"source\\\":\\\"billing-job\\\"}\""); // as Debezium Server's JSON header format writes it
        change(2, "{\"user\":\"bob\",\"source\":\"web\"}"); // as Kafka Connect's simple header format writes it
        change(3, null);

        List<ChangeEvent> changes = p.changes();
        assertThat(changes).extracting(e -> e.context() == null ? null : e.context().toString()).containsExactly(
                "{\"user\":\"alice\",\"source\":\"billing-job\"}", "{\"user\":\"bob\",\"source\":\"web\"}", null);
        assertThat(p.subscription("billing")).extracting(e -> e.pk().get("id").asInt()).containsExactly(1);
    }

    @Test
    void aBadHeaderIsDroppedFromItsChangeWhichStillFlowsAndIsCounted() {
        change(1, "not json");
        change(2, "[\"a\"]");
        change(3, "{\"note\":\"" + "x".repeat(5000) + "\"}");

        assertThat(p.changes()).extracting(e -> e.pk().get("id").asInt() + ":" + e.context()).containsExactly("1:null", "2:null", "3:null");
        assertThat(p.metrics.contextRejected).containsEntry("not_json", 1L).containsEntry("not_an_object", 1L)
                .containsEntry("too_large", 1L);
        assertThat(p.deadLetters()).isEmpty();
    }

    @Test
    void eachValidMessageBecomesOneRecordOfDmContextKeyedByTxId() {
        message(771, 0x16B3748L, "{\"user\":\"alice\"}");
        message(771, 0x16B3800L, "{\"source\":\"billing-job\"}");

        var records = p.driver.createOutputTopic("dm.context", Serdes.String().deserializer(), Serdes.ByteArray().deserializer())
                .readRecordsToList();
        assertThat(records).extracting(TestRecord::key).containsExactly("771", "771");
        TransactionContext first = TransactionContext.fromJson(records.get(0).value());
        assertThat(Json.tree(records.get(0).value(), "record")).isEqualTo(Json.tree(("{\"v\":1,\"txId\":771,\"lsn\":\"0/16B3748\","
                + "\"commitTs\":\"2026-11-23T02:15:30.123456Z\",\"context\":{\"user\":\"alice\"}}").getBytes(StandardCharsets.UTF_8), "e"));
        assertThat(first.context().get("user").asText()).isEqualTo("alice");
        assertThat(TransactionContext.fromJson(records.get(1).value()).lsn()).isEqualTo("0/16B3800");
        assertThat(p.changes()).as("a message is no row change").isEmpty();
        assertThat(p.deadLetters()).isEmpty();
    }

    @Test
    void badMessagesAreDeadLetteredWithTheirReasonWhileGoodOnesFlow() {
        message(771, 0x100L, "not json");
        message(771, 0x200L, "[1,2]");
        message(771, 0x300L, "{\"note\":\"" + "x".repeat(5000) + "\"}");
        message(null, 0x400L, "{\"user\":\"alice\"}");
        message(772, 0x500L, "{\"user\":\"alice\"}");

        var letters = p.deadLetters();
        assertThat(letters).hasSize(4).allSatisfy(l -> assertThat(header(l, DeadLetters.STAGE)).isEqualTo("context"));
        assertThat(letters).extracting(l -> header(l, DeadLetters.ERROR)).satisfiesExactly(
                e -> assertThat(e).contains("not JSON"), e -> assertThat(e).contains("must be a JSON object"),
                e -> assertThat(e).contains("more than the limit of 4096"), e -> assertThat(e).contains("no transaction id"));
        assertThat(header(letters.get(0), DeadLetters.SOURCE_TOPIC)).isEqualTo("dm.cdc.message");
        assertThat(p.metrics.contextRejected).containsEntry("not_json", 1L).containsEntry("not_an_object", 1L)
                .containsEntry("too_large", 1L).containsEntry("no_tx_id", 1L);
        assertThat(p.driver.createOutputTopic("dm.context", Serdes.String().deserializer(), Serdes.ByteArray().deserializer())
                .readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("772");
    }

    private void change(int id, String contextHeader) {
        TestInputTopic<byte[], byte[]> in = p.driver.createInputTopic("dm.cdc.public.orders", new ByteArraySerializer(),
                new ByteArraySerializer());
        RecordHeaders headers = new RecordHeaders();
        if (contextHeader != null) {
            headers.add(ContextCheck.HEADER, contextHeader.getBytes(StandardCharsets.UTF_8));
        }
        long lsn = 0x16C0000L + id * 0x100L;
        in.pipeInput(new TestRecord<>(Json.toBytes(row("id", id)), Pipeline.envelope("public.orders", "c", null, row("id", id),
                lsn - 1, lsn), headers));
    }

    private void message(Integer txId, long lsn, String content) {
        String source = "{\"lsn\":" + lsn + ",\"ts_us\":1795400130123456" + (txId == null ? "" : ",\"txId\":" + txId)
                + ",\"sequence\":\"[null,\\\"" + lsn + "\\\"]\"}";
        String value = "{\"op\":\"m\",\"ts_ms\":1795400130200,\"source\":" + source + ",\"message\":{\"prefix\":\"dm.context\","
                + "\"content\":\"" + Base64.getEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8)) + "\"}}";
        p.driver.createInputTopic("dm.cdc.message", new ByteArraySerializer(), new ByteArraySerializer())
                .pipeInput("{\"prefix\":\"dm.context\"}".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
