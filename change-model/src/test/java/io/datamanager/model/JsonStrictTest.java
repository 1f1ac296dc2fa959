package io.datamanager.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** What the shared mapper refuses instead of guessing: every value is read as the type it is written as. */
class JsonStrictTest {
    record Body(Boolean flag, Integer days, int count, String name, List<String> names, Instant at) {}

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"flag\":\"false\"}|flag",
        "{\"flag\":0}|flag",
        "{\"flag\":\"no\"}|flag",
        "{\"days\":\"90\"}|days",
        "{\"days\":1.5}|days",
        "{\"days\":true}|days",
        "{\"days\":\"\"}|days",
        "{\"days\":99999999999999999999}|days",
        "{\"count\":null}|count",
        "{\"name\":1}|name",
        "{\"name\":true}|name",
        "{\"name\":{}}|name",
        "{\"names\":[1]}|names[0]",
        "{\"names\":\"x\"}|names",
        "{\"at\":1700000000}|at",
        "{\"at\":\"+999999999-12-31T23:59:59Z\"}|at",
        "{\"at\":\"-5000-01-01T00:00:00Z\"}|at",
        "{\"count\":1,\"bogus\":1}|bogus",
    })
    void aValueOfAnotherTypeIsRefusedNamingTheField(String json, String field) {
        assertThatThrownBy(() -> Json.read(json, Body.class)).isInstanceOf(ValidationException.class).extracting("field").isEqualTo(field);
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "", "   ", "{\"flag\":true} x", "{\"flag\":true}}", "{\"flag\":true}{}", "{\"flag\":true,\"flag\":false}",
        "[]", "\"x\""})
    void aBodyThatIsNotExactlyOneObjectIsRefused(String json) {
        assertThatThrownBy(() -> Json.read(json, Body.class)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> Json.readRequest(json.getBytes(StandardCharsets.UTF_8), Body.class)).isInstanceOf(ValidationException.class);
    }

    @Test
    void capturedJsonKeepsItsDuplicateKeysAsPostgresDoesWhileRequestsMayNotHaveThem() {
        // a json (not jsonb) column may hold a key twice; jsonb, and so history, keeps the last
        assertThat(ExactJson.tree("{\"a\":1,\"a\":2.50}", "json value").toString()).isEqualTo("{\"a\":2.50}");
        assertThatThrownBy(() -> Json.requestTree("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ValidationException.class).extracting("field").isEqualTo("a");
    }

    @Test
    void aNullBodySaysAnObjectIsRequired() {
        assertThatThrownBy(() -> Json.readRequest("null".getBytes(StandardCharsets.UTF_8), Body.class))
                .isInstanceOf(ValidationException.class).hasMessage("body: a JSON object is required, was null");
        assertThatThrownBy(() -> Json.read("null", Body.class)).hasMessage("body: a JSON object is required, was null");
    }

    @Test
    void aDuplicateKeyIsRefusedInTreesToo() {
        assertThatThrownBy(() -> Json.tree("{\"a\":{\"b\":1,\"b\":2}}".getBytes(StandardCharsets.UTF_8), "body"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("Duplicate field 'b'").extracting("field").isEqualTo("a.b");
        assertThatThrownBy(() -> Json.tree("1 OR 1=1".getBytes(StandardCharsets.UTF_8), "match.status")).isInstanceOf(ValidationException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"name\":\"a\\u0000b\"}|name",
        "{\"names\":[\"ok\",\"\\ud800\"]}|names[1]",
        "{\"a\":{\"x\\u0000\":1}}|a",
    })
    void requestTextPostgresCannotHoldIsRefusedNamingThePath(String json, String field) {
        assertThatThrownBy(() -> Json.requestTree(json.getBytes(StandardCharsets.UTF_8))).isInstanceOf(ValidationException.class)
                .extracting("field").isEqualTo(field);
    }

    @Test
    void aRequestBodyThatIsNotUtf8IsRefused() {
        byte[] latin1 = "{\"name\":\"é\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> Json.readRequest(latin1, Body.class)).hasMessageStartingWith("body: is not UTF-8");
        byte[] bom = "\uFEFF{\"count\":1}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Json.readRequest(bom, Body.class)).hasMessageContaining("byte order mark");
        byte[] utf16 = "{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_16);
        assertThatThrownBy(() -> Json.readRequest(utf16, Body.class)).isInstanceOf(ValidationException.class);
    }

    @Test
    void wellTypedValuesStillRead() {
        Body body = Json.readRequest("{\"flag\":false,\"days\":90,\"count\":2,\"name\":\"é\",\"names\":[\"a\"],\"at\":\"2026-11-23T10:15:30+02:00\"}"
                .getBytes(StandardCharsets.UTF_8), Body.class);
        assertThat(body).isEqualTo(new Body(false, 90, 2, "é", List.of("a"), Instant.parse("2026-11-23T08:15:30Z")));
        assertThat(Json.read("{\"count\":1,\"at\":\"-4713-11-24T00:00:00Z\"}", Body.class).at()).isEqualTo(Input.MIN_INSTANT);
    }

    @Test
    void inputNumbersAreAsciiDigitsInRange() {
        assertThat(Input.number("limit", "1000", 1, 1000)).isEqualTo(1000);
        for (String bad : List.of("０", "１２", "+1", " 1", "1.0", "0", "1001", "-1", "", "99999999999999999999", "1e3")) {
            assertThatThrownBy(() -> Input.number("limit", bad, 1, 1000)).as(bad).isInstanceOf(ValidationException.class)
                    .extracting("field").isEqualTo("limit");
        }
    }

    @Test
    void inputTimesInInstantsOwnFormReadAsIso8601Says() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 10_000; i++) { // every fraction length, as Instant#toString writes them
            Instant at = Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 250_000_000_000L), random.nextInt(1_000_000_000));
            String text = at.toString();
            for (int digits = 0; digits <= 9; digits++) {
                String cut = digits == 0 ? text.substring(0, 19) + "Z" : text.substring(0, 20) + (text.substring(20, text.length() - 1) + "000000000").substring(0, digits) + "Z";
                assertThat(Input.instant("at", cut)).as(cut).isEqualTo(java.time.OffsetDateTime.parse(cut).toInstant());
            }
        }
        for (String bad : List.of("2026-02-29T10:15:30Z", "2026-04-31T10:15:30Z", "2026-11-23T24:00:00Z", "2026-11-23T10:60:30Z",
                "2026-11-23T10:15:60Z", "2026-13-01T10:15:30Z", "2026-00-01T10:15:30Z", "2026-11-00T10:15:30Z",
                "2026-11-23T10:15:30.1234567890Z", "2026-11-23T10:15:3aZ")) {
            assertThatThrownBy(() -> Input.instant("at", bad)).as(bad).isInstanceOf(ValidationException.class).extracting("field").isEqualTo("at");
        }
        assertThat(Input.instant("at", "2024-02-29T23:59:59.5Z")).isEqualTo(Instant.parse("2024-02-29T23:59:59.500Z"));
    }

    @Test
    void inputTimesArePostgresTimes() {
        assertThat(Input.instant("at", "+294276-12-31T23:59:59Z")).isBefore(Input.END_INSTANT);
        for (String bad : List.of("+999999999-12-31T23:59:59Z", "+294277-01-01T00:00:00Z", "-4713-11-23T23:59:59Z", "2026-11-23",
                "2026-11-23T10:15:30", "２026-11-23T10:15:30Z", "1700000000")) {
            assertThatThrownBy(() -> Input.instant("at", bad)).as(bad).isInstanceOf(ValidationException.class).extracting("field").isEqualTo("at");
        }
    }
}
