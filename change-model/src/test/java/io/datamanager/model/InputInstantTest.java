package io.datamanager.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The quick reading of the times the project writes gives what the general ISO-8601 parse gives, or leaves the text to it. */
class InputInstantTest {
    @Test
    void everyTimeAsWrittenReadsAsTheGeneralParseReadsIt() {
        SplittableRandom random = new SplittableRandom(20261202);
        long from = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 200_000; i++) {
            Instant time = Instant.ofEpochSecond(random.nextLong(from, to + 1), random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
            String text = time.toString(); // 0, 3, 6 or 9 fraction digits
            assertThat(Input.utc(text)).as(text).isEqualTo(time).isEqualTo(OffsetDateTime.parse(text).toInstant());
            String trimmed = text.contains(".") ? text.replaceAll("0+Z$", "Z").replace(".Z", "Z") : text; // 1 to 9 digits, as others write them
            assertThat(Input.utc(trimmed)).as(trimmed).isEqualTo(time);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-29T00:00:00Z", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
        "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z", "2026-01-01T23:59:60Z", "2026-01-01T10:15:30.Z",
        "2026-01-01T10:15:30.1234567890Z", "2026-01-01t10:15:30z", "2026-01-01T10:15:30+01:00", "2026-01-01T10:15Z",
        "+2026-01-01T10:15:30Z", "2026-1-01T10:15:30Z", "2026-01-01T10:15:3aZ", "2026-01-01 10:15:30Z", "2026-01-01T10:15:30.12a4Z"})
    void anyOtherTextIsLeftToTheGeneralParse(String text) {
        assertThat(Input.utc(text)).isNull();
        Instant general;
        try {
            general = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            general = null;
        }
        if (general != null) {
            assertThat(Input.instant("at", text)).isEqualTo(general); // read all the same, by the general parse
        } else {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Input.instant("at", text)).isInstanceOf(ValidationException.class)
                    .extracting("field").isEqualTo("at");
        }
    }

    @Test
    void aLeapDayReadsQuickly() {
        assertThat(Input.utc("2024-02-29T23:59:59.5Z")).isEqualTo(Instant.parse("2024-02-29T23:59:59.500Z"));
    }
}
