package io.datamanager.streams.topology;

import static io.datamanager.streams.topology.Pipeline.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadLetterTest {
    private final Pipeline p = new Pipeline();

    @AfterEach
    void close() {
        p.close();
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicWithReasonAndSourceWhileGoodRecordsFlow() {
        p.change("public.orders", "c", row("id", 1), null, row("id", 1));
        p.raw("public.orders", "{\"id\":2}".getBytes(StandardCharsets.UTF_8), "not json at all".getBytes(StandardCharsets.UTF_8), null);
        p.raw("public.orders", null, "{\"op\":\"c\",\"after\":{}}".getBytes(StandardCharsets.UTF_8), null);
        p.change("public.orders", "c", row("id", 3), null, row("id", 3));

        assertThat(p.changes()).extracting(e -> e.pk().get("id").asInt()).containsExactly(1, 3);
        var letters = p.deadLetters();
        assertThat(letters).hasSize(2);
        assertThat(new String(letters.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not json at all");
        assertThat(new String(letters.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":2}");
        Headers headers = letters.get(0).headers();
        assertThat(header(headers, DeadLetters.STAGE)).isEqualTo("parse");
        assertThat(header(headers, DeadLetters.ERROR)).contains("value").contains("not valid JSON");
        assertThat(header(headers, DeadLetters.SOURCE_TOPIC)).isEqualTo("dm.cdc.public.orders");
        assertThat(header(headers, DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(header(headers, DeadLetters.SOURCE_OFFSET)).isEqualTo("1");
        assertThat(header(letters.get(1).headers(), DeadLetters.ERROR)).contains("source");
        assertThat(p.metrics.deadLettered.get("parse")).hasValue(2);
    }

    @Test
    void tombstonesOnRawTopicsAreSkippedQuietly() {
        p.raw("public.orders", "{\"id\":1}".getBytes(StandardCharsets.UTF_8), null, null);
        assertThat(p.changes()).isEmpty();
        assertThat(p.deadLetters()).isEmpty();
    }

    private static String header(Headers headers, String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
