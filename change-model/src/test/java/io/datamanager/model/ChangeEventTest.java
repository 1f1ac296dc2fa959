package io.datamanager.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChangeEventTest {
    private static final String VALID = """
            {"v":1,"id":"abc","table":"public.orders","op":"update","pk":{"id":42},
             "before":{"id":42,"status":"new"},"after":{"id":42,"status":"paid"},"changed":["status"],
             "complete":true,"lsn":"0/16B3748","txId":771,"commitTs":"2026-11-23T10:15:30.123456Z",
             "captureTs":"2026-11-23T10:15:30.140Z"}""";

    @Test
    void contractExampleParsesAndWritesBackTheSame() {
        ChangeEvent e = ChangeEvent.fromJson(VALID.getBytes());
        assertThat(e.op()).isEqualTo(Op.UPDATE);
        assertThat(e.commitTs().getNano()).isEqualTo(123_456_000);
        assertThat(Json.tree(e.toJson(), "e")).isEqualTo(Json.tree(VALID.getBytes(), "e"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"v\":1|\"v\":2|v",
        "\"op\":\"update\"|\"op\":\"upsert\"|op",
        "\"lsn\":\"0/16B3748\"|\"lsn\":\"16B3748\"|lsn",
        "\"table\":\"public.orders\"|\"table\":\"orders\"|table",
        "\"commitTs\":\"2026-11-23T10:15:30.123456Z\"|\"commitTs\":\"yesterday\"|commitTs",
        "\"complete\":true|\"complete\":false|complete",
        ",\"after\":{\"id\":42,\"status\":\"paid\"}|,\"after\":null|after",
    })
    void invalidEventIsRejectedNamingTheField(String valid, String invalid, String field) {
        String json = VALID.replace(valid, invalid);
        assertThat(json).isNotEqualTo(VALID);
        assertThatThrownBy(() -> ChangeEvent.fromJson(json.getBytes()))
                .isInstanceOf(ValidationException.class)
                .extracting("field").isEqualTo(field);
    }

    @Test
    void aFieldANewerProducerAddedIsIgnoredSoConsumersKeepReadingVersion1() {
        ChangeEvent e = ChangeEvent.fromJson(VALID.replace("\"v\":1,", "\"v\":1,\"origin\":\"a newer streams-app\",").getBytes());
        assertThat(e.txId()).isEqualTo(771L);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"txId\":771|\"txId\":\"771\"|txId",
        "\"complete\":true|\"complete\":\"true\"|complete",
        "\"v\":1|\"v\":1.0|v",
        "\"commitTs\":\"2026-11-23T10:15:30.123456Z\"|\"commitTs\":1700000000|commitTs",
    })
    void aValueOfAnotherTypeIsNotReadAsAnEvent(String valid, String invalid, String field) {
        assertThatThrownBy(() -> ChangeEvent.fromJson(VALID.replace(valid, invalid).getBytes()))
                .isInstanceOf(ValidationException.class).extracting("field").isEqualTo(field);
    }

    @Test
    void aJsonNullsEntryNamesAnImageAndColumn() {
        assertThat(ChangeEvent.fromJson(VALID.replace("\"v\":1,", "\"v\":1,\"jsonNulls\":[\"after.doc\"],").getBytes()).jsonNulls())
                .containsExactly("after.doc");
        assertThatThrownBy(() -> ChangeEvent.fromJson(VALID.replace("\"v\":1,", "\"v\":1,\"jsonNulls\":[\"doc\"],").getBytes()))
                .hasMessageContaining("jsonNulls");
    }

    @Test
    void keyIsTableWithCanonicalPrimaryKeyWhateverTheColumnOrder() {
        ObjectNode a = Json.mapper().createObjectNode().put("b", 2).put("a", "x");
        ObjectNode b = Json.mapper().createObjectNode().put("a", "x").put("b", 2);
        assertThat(RowKey.of("public.t", a)).isEqualTo(RowKey.of("public.t", b)).isEqualTo("public.t{\"a\":\"x\",\"b\":2}");
        assertThat(RowKey.eventId("public.t", a, Lsn.parse("0/10"))).isEqualTo(RowKey.eventId("public.t", b, Lsn.parse("0/10")))
                .isNotEqualTo(RowKey.eventId("public.t", a, Lsn.parse("0/11")));
    }

    @Test
    void lsnReadsAndWritesPostgresNotationAndOrdersNumerically() {
        assertThat(Lsn.parse("0/16B3748").toString()).isEqualTo("0/16B3748");
        assertThat(Lsn.parse("1/0")).isGreaterThan(Lsn.parse("0/FFFFFFFF"));
        assertThat(Lsn.parse("0/a")).isEqualTo(Lsn.parse("0/A"));
        assertThatThrownBy(() -> Lsn.parse("0/XYZ", "lsn")).isInstanceOf(ValidationException.class).hasMessageStartingWith("lsn:");
    }
}
