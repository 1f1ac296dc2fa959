package io.datamanager.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContextCheckTest {
    private final ContextCheck check = new ContextCheck(ContextCheck.DEFAULT_MAX_BYTES);

    @Test
    void anObjectOfExactlyTheLimitIsAcceptedAndOneByteMoreIsNot() {
        String exact = "{\"n\":\"" + "x".repeat(4096 - 8) + "\"}";
        assertThat(exact).hasSize(4096);
        assertThat(check.object(bytes(exact)).get("n").asText()).hasSize(4088);
        assertThatThrownBy(() -> check.object(bytes("{\"n\":\"" + "x".repeat(4089) + "\"}")))
                .isInstanceOfSatisfying(ContextCheck.Rejected.class, e -> assertThat(e.reason()).isEqualTo(ContextCheck.Reason.TOO_LARGE));
    }

    @Test
    void theLimitCountsUtf8BytesNotCharacters() {
        ContextCheck small = new ContextCheck(16);
        assertThat(small.object(bytes("{\"u\":\"ééé\"}"))).isNotNull(); // 14 bytes
        assertThatThrownBy(() -> small.object(bytes("{\"u\":\"ééééé\"}"))).isInstanceOf(ContextCheck.Rejected.class); // 18 bytes
    }

    @Test
    void aHeaderMayBeTheObjectOrAJsonStringHoldingIt() {
        assertThat(check.header(bytes("{\"user\":\"alice\"}")).toString()).isEqualTo("{\"user\":\"alice\"}");
        assertThat(check.header(bytes("\"{\\\"user\\\":\\\"alice\\\"}\"")).toString()).isEqualTo("{\"user\":\"alice\"}");
        assertThat(check.header(bytes("{\"amount\":2.50}")).toString()).as("numbers as written").isEqualTo("{\"amount\":2.50}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"not json|NOT_JSON", "[1,2]|NOT_AN_OBJECT", "\"text\"|NOT_AN_OBJECT", "42|NOT_AN_OBJECT",
        "{\"a\":1} trailing|NOT_JSON", "''|NOT_JSON"})
    void whatIsNoJsonObjectIsRejectedWithItsReason(String value, ContextCheck.Reason reason) {
        assertThatThrownBy(() -> check.object(bytes(value))).isInstanceOfSatisfying(ContextCheck.Rejected.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
