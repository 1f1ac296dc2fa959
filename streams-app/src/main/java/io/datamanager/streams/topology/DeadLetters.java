package io.datamanager.streams.topology;

import io.datamanager.model.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns dead letters into {@code dm.dlq} records: the original key and value bytes, and headers naming the
 * stage, the error and the source coordinates, so an operator can find, fix and replay the record.
 */
final class DeadLetters implements Processor<String, Outcome, byte[], byte[]> {
    static final String STAGE = DeadLetterHeaders.STAGE;
    static final String ERROR = DeadLetterHeaders.ERROR;
    static final String SOURCE_TOPIC = DeadLetterHeaders.SOURCE_TOPIC;
    static final String SOURCE_PARTITION = DeadLetterHeaders.SOURCE_PARTITION;
    static final String SOURCE_OFFSET = DeadLetterHeaders.SOURCE_OFFSET;
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final PipelineMetrics metrics;
    private ProcessorContext<byte[], byte[]> context;

    DeadLetters(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    static Outcome.DeadLetter of(String stage, Exception error, String key, byte[] value, ProcessorContext<?, ?> context) {
        return of(stage, error, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, context);
    }

    static Outcome.DeadLetter of(String stage, Exception error, byte[] key, byte[] value, ProcessorContext<?, ?> context) {
        RecordMetadata source = context.recordMetadata().orElse(null);
        return new Outcome.DeadLetter(stage, error, key, value, source == null ? null : source.topic(),
                source == null ? -1 : source.partition(), source == null ? -1 : source.offset());
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, Outcome> record) {
        Outcome.DeadLetter letter = (Outcome.DeadLetter) record.value();
        LOG.warn("dead letter from stage {} ({}:{}@{})", letter.stage(), letter.sourceTopic(), letter.sourcePartition(),
                letter.sourceOffset(), letter.error());
        metrics.deadLettered(letter.stage());
        context.forward(new Record<>(letter.key(), letter.value(), record.timestamp(), headers(letter)));
    }

    static RecordHeaders headers(Outcome.DeadLetter letter) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(STAGE, bytes(letter.stage()));
        headers.add(ERROR, bytes(String.valueOf(letter.error().getMessage())));
        if (letter.sourceTopic() != null) {
            headers.add(SOURCE_TOPIC, bytes(letter.sourceTopic()));
            headers.add(SOURCE_PARTITION, bytes(Integer.toString(letter.sourcePartition())));
            headers.add(SOURCE_OFFSET, bytes(Long.toString(letter.sourceOffset())));
        }
        return headers;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
