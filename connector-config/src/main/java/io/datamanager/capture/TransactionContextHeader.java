package io.datamanager.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.transforms.Transformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Connect transform that puts the application context of a source transaction on its change records: the
 * {@code dm.context} logical decoding messages of the transaction ({@code pg_logical_emit_message(true, 'dm.context',
 * '{"user":"alice"}')}) are merged in WAL order (the later key wins) and every later change record of the same
 * transaction gets the merged JSON object as header {@value #HEADER}. Changes before the transaction's first message get
 * none: nothing is held back waiting for a context that may not come.
 *
 * <p>Stateful, so it must see the records in WAL order: Kafka Connect runs a task's transforms in order; Debezium
 * Server must run them on one thread ({@code debezium.source.record.processing.threads=1}). Message contents that are
 * not a JSON object are left out of the merge (the streams-app dead-letters them from the message topic); a merged
 * context over {@code max.bytes} is not put on the records (Kafka would refuse huge headers and stop capture).
 *
 * <p>After a restart capture may resume in the middle of a transaction whose messages it already published (Debezium
 * does not send them again): for the first transaction it sees, it reads that transaction's messages back from the
 * message topic ({@code bootstrap.servers}, {@code message.topic}; see {@link ContextReadback}).
 */
public class TransactionContextHeader<R extends ConnectRecord<R>> implements Transformation<R> {
    /** Must equal the streams-app's {@code ContextHeader.HEADER}. */
    public static final String HEADER = "dm.context";
    /** The logical decoding message prefix that carries context. */
    public static final String PREFIX = "dm.context";
    static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    static final String MESSAGE_TOPIC = "message.topic";
    static final String MAX_BYTES = "max.bytes";
    static final String READBACK_TIMEOUT_MS = "readback.timeout.ms";
    private static final Logger LOG = LoggerFactory.getLogger(TransactionContextHeader.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ConfigDef CONFIG = new ConfigDef()
            .define(BOOTSTRAP_SERVERS, ConfigDef.Type.STRING, "", ConfigDef.Importance.MEDIUM,
                    "Kafka to read the message topic from after a restart; empty: no read-back")
            .define(MESSAGE_TOPIC, ConfigDef.Type.STRING, "dm.cdc.message", ConfigDef.Importance.MEDIUM,
                    "Debezium's topic of logical decoding messages (<topic.prefix>.message)")
            .define(MAX_BYTES, ConfigDef.Type.INT, 65536, ConfigDef.Importance.LOW,
                    "A merged context larger than this (UTF-8 JSON) is not put on the records")
            .define(READBACK_TIMEOUT_MS, ConfigDef.Type.LONG, 30_000L, ConfigDef.Importance.LOW,
                    "How long the read-back after a start may take before capture goes on without it");

    private String bootstrapServers = "";
    private String messageTopic = "dm.cdc.message";
    private int maxBytes = 65536;
    private long readbackTimeoutMs = 30_000L;

    private boolean started;
    private Long txId;
    private ObjectNode context;
    /** The merged context as the header value, null when none or too large. */
    private String header;
    /** The LSN of the last message merged in this transaction: a message at or below it was merged already. */
    private long lastMessageLsn = -1;

    @Override
    public R apply(R record) {
        if (!(record.value() instanceof Struct value) || value.schema().field("source") == null) {
            return record;
        }
        Struct source = value.getStruct("source");
        Long tx = source == null || source.schema().field("txId") == null ? null : source.getInt64("txId");
        if (value.schema().field("message") != null) {
            Struct message = value.getStruct("message");
            if (tx != null && message != null && PREFIX.equals(message.getString("prefix"))) {
                enter(tx, source);
                merge(lsn(source), content(message.get("content")));
            }
            return record;
        }
        if (tx == null || (value.schema().field("after") == null && value.schema().field("before") == null)) {
            return record;
        }
        enter(tx, source);
        if (header != null) {
            record.headers().addString(HEADER, header);
        }
        return record;
    }

    private void enter(long tx, Struct source) {
        if (txId != null && txId == tx) {
            return;
        }
        txId = tx;
        context = null;
        header = null;
        lastMessageLsn = -1;
        if (!started) {
            started = true;
            if (!bootstrapServers.isBlank()) {
                ContextReadback readback = new ContextReadback(bootstrapServers, messageTopic, readbackTimeoutMs);
                for (ContextReadback.Message message : readback.messagesOf(tx, lastCommit(source))) {
                    merge(message.lsn(), message.content());
                }
                if (context != null) {
                    LOG.info("resumed in transaction {}: its context {} read back from {}", tx, header, messageTopic);
                }
            }
        }
    }

    /** Merges one message's content (later keys win); content that is not a JSON object is left out. */
    void merge(long lsn, byte[] content) {
        if (lsn >= 0 && lsn <= lastMessageLsn) {
            return; // sent again after a restart, or read back already
        }
        lastMessageLsn = Math.max(lastMessageLsn, lsn);
        JsonNode node;
        try {
            node = content == null ? null : JSON.readTree(content);
        } catch (java.io.IOException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            LOG.warn("a {} message of transaction {} is not a JSON object; left out of the context", PREFIX, txId);
            return;
        }
        if (context == null) {
            context = JSON.createObjectNode();
        }
        context.setAll((ObjectNode) node);
        String merged = context.toString();
        if (merged.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            LOG.warn("the context of transaction {} is larger than {} bytes; not put on its changes", txId, maxBytes);
            header = null;
        } else {
            header = merged;
        }
    }

    static byte[] content(Object content) {
        if (content instanceof byte[] bytes) {
            return bytes;
        }
        if (content instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        }
        if (content instanceof String text) { // binary.handling.mode=base64 (or hex, which is not used here)
            try {
                return Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                return text.getBytes(StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static long lsn(Struct source) {
        Object lsn = source.schema().field("lsn") == null ? null : source.get("lsn");
        return lsn instanceof Number n ? n.longValue() : -1;
    }

    /** The LSN of the last commit before the record's transaction, from {@code source.sequence}; -1 when unknown. */
    private static long lastCommit(Struct source) {
        Object sequence = source.schema().field("sequence") == null ? null : source.get("sequence");
        return sequence instanceof String text ? ContextReadback.lastCommit(text) : -1;
    }

    /** The current header value, for tests. */
    String header() {
        return header;
    }

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Map<String, Object> parsed = CONFIG.parse(configs);
        bootstrapServers = (String) parsed.get(BOOTSTRAP_SERVERS);
        messageTopic = (String) parsed.get(MESSAGE_TOPIC);
        maxBytes = (Integer) parsed.get(MAX_BYTES);
        readbackTimeoutMs = (Long) parsed.get(READBACK_TIMEOUT_MS);
    }

    @Override
    public void close() {
        context = null;
        header = null;
    }
}
