package io.datamanager.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TransactionContextHeaderTest {
    private static final Schema SOURCE = SchemaBuilder.struct().field("txId", Schema.OPTIONAL_INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA).field("sequence", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema ROW = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).optional().build();
    private static final Schema CHANGE = SchemaBuilder.struct().field("before", ROW).field("after", ROW)
            .field("source", SOURCE).field("op", Schema.STRING_SCHEMA).build();
    private static final Schema BLOCK = SchemaBuilder.struct().field("prefix", Schema.STRING_SCHEMA)
            .field("content", Schema.OPTIONAL_BYTES_SCHEMA).build();
    private static final Schema MESSAGE = SchemaBuilder.struct().field("op", Schema.STRING_SCHEMA).field("source", SOURCE)
            .field("message", BLOCK).build();

    private final TransactionContextHeader<SourceRecord> smt = new TransactionContextHeader<>();
    private long lsn = 100;

    @BeforeEach
    void configure() {
        smt.configure(Map.of()); // no bootstrap servers: no read-back
    }

    @Test
    void aMessageFirstGoesOnEveryChangeOfItsTransaction() {
        smt.apply(message(7L, "dm.context", "{\"user\":\"alice\"}"));
        assertThat(context(smt.apply(change(7, 1)))).isEqualTo("{\"user\":\"alice\"}");
        assertThat(context(smt.apply(change(7, 2)))).isEqualTo("{\"user\":\"alice\"}");
    }

    @Test
    void changesBeforeTheMessageGoWithoutAndTheNextTransactionStartsEmpty() {
        assertThat(context(smt.apply(change(7, 1)))).isNull();
        smt.apply(message(7L, "dm.context", "{\"user\":\"alice\"}"));
        assertThat(context(smt.apply(change(7, 2)))).isEqualTo("{\"user\":\"alice\"}");
        assertThat(context(smt.apply(change(8, 3)))).as("another transaction").isNull();
    }

    @Test
    void severalMessagesMergeTheLaterKeyWinning() {
        smt.apply(message(7L, "dm.context", "{\"user\":\"alice\",\"source\":\"web\"}"));
        smt.apply(message(7L, "dm.context", "{\"source\":\"billing-job\",\"request\":\"r-81\"}"));
        assertThat(context(smt.apply(change(7, 1)))).isEqualTo("{\"user\":\"alice\",\"source\":\"billing-job\",\"request\":\"r-81\"}");
    }

    @Test
    void contentThatIsNoJsonObjectIsLeftOutOfTheMerge() {
        smt.apply(message(7L, "dm.context", "{\"user\":\"alice\"}"));
        smt.apply(message(7L, "dm.context", "not json"));
        smt.apply(message(7L, "dm.context", "[1,2]"));
        assertThat(context(smt.apply(change(7, 1)))).isEqualTo("{\"user\":\"alice\"}");
    }

    @Test
    void otherPrefixesAndNonTransactionalMessagesAreIgnored() {
        smt.apply(message(7L, "dm.other", "{\"user\":\"mallory\"}"));
        smt.apply(message(null, "dm.context", "{\"user\":\"mallory\"}"));
        assertThat(context(smt.apply(change(7, 1)))).isNull();
    }

    @Test
    void aMessageSentAgainAfterARestartDoesNotUndoALaterOne() {
        smt.apply(message(7L, "dm.context", "{\"source\":\"a\"}", 200));
        smt.apply(message(7L, "dm.context", "{\"source\":\"b\"}", 300));
        smt.apply(message(7L, "dm.context", "{\"source\":\"a\"}", 200));
        assertThat(context(smt.apply(change(7, 1)))).isEqualTo("{\"source\":\"b\"}");
    }

    @Test
    void aContextOverTheLimitIsNotPutOnTheChanges() {
        smt.configure(Map.of(TransactionContextHeader.MAX_BYTES, "32"));
        smt.apply(message(7L, "dm.context", "{\"note\":\"" + "x".repeat(40) + "\"}"));
        assertThat(context(smt.apply(change(7, 1)))).isNull();
    }

    @Test
    void contentArrivesAsBytesOrAsBase64Text() {
        assertThat(TransactionContextHeader.content("eyJhIjoxfQ==")).asString(StandardCharsets.UTF_8).isEqualTo("{\"a\":1}");
        assertThat(TransactionContextHeader.content(java.nio.ByteBuffer.wrap("{}".getBytes(StandardCharsets.UTF_8))))
                .asString(StandardCharsets.UTF_8).isEqualTo("{}");
    }

    @Test
    void readbackParsesMessageRecordsAsDebeziumServerWritesThem() {
        String content = Base64.getEncoder().encodeToString("{\"user\":\"alice\"}".getBytes(StandardCharsets.UTF_8));
        byte[] value = ("{\"op\":\"m\",\"source\":{\"txId\":771,\"lsn\":24023928,\"sequence\":\"[\\\"24023800\\\",\\\"24023928\\\"]\"},"
                + "\"message\":{\"prefix\":\"dm.context\",\"content\":\"" + content + "\"}}").getBytes(StandardCharsets.UTF_8);
        ContextReadback.Seen seen = ContextReadback.parse(value);
        assertThat(seen.txId()).isEqualTo(771);
        assertThat(seen.lastCommit()).isEqualTo(24023800L);
        assertThat(seen.lsn()).isEqualTo(24023928L);
        assertThat(seen.content()).asString(StandardCharsets.UTF_8).isEqualTo("{\"user\":\"alice\"}");
        assertThat(ContextReadback.parse("{\"ts_ms\":1}".getBytes(StandardCharsets.UTF_8))).as("a heartbeat").isNull();
    }

    private SourceRecord change(long txId, int id) {
        Struct value = new Struct(CHANGE).put("after", new Struct(ROW).put("id", id)).put("op", "c")
                .put("source", new Struct(SOURCE).put("txId", txId).put("lsn", lsn++));
        return new SourceRecord(Map.of(), Map.of(), "dm.cdc.public.t", CHANGE, value);
    }

    private SourceRecord message(Long txId, String prefix, String content) {
        return message(txId, prefix, content, lsn++);
    }

    private SourceRecord message(Long txId, String prefix, String content, long at) {
        Struct value = new Struct(MESSAGE).put("op", "m").put("source", new Struct(SOURCE).put("txId", txId).put("lsn", at))
                .put("message", new Struct(BLOCK).put("prefix", prefix).put("content", content.getBytes(StandardCharsets.UTF_8)));
        return new SourceRecord(Map.of(), Map.of(), "dm.cdc.message", MESSAGE, value);
    }

    private static String context(SourceRecord record) {
        Header header = record.headers().lastWithName(TransactionContextHeader.HEADER);
        return header == null ? null : (String) header.value();
    }
}
