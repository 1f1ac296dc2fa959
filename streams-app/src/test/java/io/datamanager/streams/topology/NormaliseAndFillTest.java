package io.datamanager.streams.topology;

import static io.datamanager.streams.topology.Pipeline.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Op;
import io.datamanager.model.debezium.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NormaliseAndFillTest {
    private final Pipeline p = new Pipeline();

    @AfterEach
    void close() {
        p.close();
    }

    @Test
    void everyOpIsNormalisedAndKeyedByTableAndCanonicalKey() {
        p.change("public.orders", "r", row("id", 1), null, row("id", 1, "status", "new"));
        p.change("public.orders", "c", row("id", 2), null, row("id", 2, "status", "new"));
        p.change("public.orders", "u", row("id", 2), null, row("id", 2, "status", "paid"));
        p.change("public.orders", "d", row("id", 2), row("id", 2, "status", null), null);
        p.change("public.orders", "t", null, null, null);

        var out = p.driver.createOutputTopic("dm.changes", org.apache.kafka.common.serialization.Serdes.String().deserializer(),
                new ChangeEventSerde().deserializer()).readKeyValuesToList();
        assertThat(out).extracting(kv -> kv.value.op())
                .containsExactly(Op.SNAPSHOT, Op.INSERT, Op.UPDATE, Op.DELETE, Op.TRUNCATE);
        assertThat(out).extracting(kv -> kv.key).containsExactly("public.orders{\"id\":1}", "public.orders{\"id\":2}",
                "public.orders{\"id\":2}", "public.orders{\"id\":2}", "public.orders{}");
        assertThat(p.metrics.lags).hasSize(5);
    }

    @Test
    void updateUnderDefaultIdentityGetsItsFullBeforeImageAndItsUnchangedToastValue() {
        // real Debezium output: a snapshot of docs(1) with a 32 kB body, then an update of its title only
        List<Fixtures.Raw> docs = Fixtures.load("update-toast-unchanged");
        docs.forEach(r -> p.raw("public.docs", r.key(), r.value(), r.types()));
        String body = docs.stream().filter(r -> r.envelope().get("op").asText().equals("r")).findFirst().orElseThrow()
                .envelope().get("after").get("body").asText();
        assertThat(body).hasSizeGreaterThan(30_000);

        ChangeEvent update = p.changes().stream().filter(e -> e.op() == Op.UPDATE).findFirst().orElseThrow();
        assertThat(update.complete()).isTrue();
        assertThat(update.missing()).isEmpty();
        assertThat(update.before().get("title").asText()).isEqualTo("first");
        assertThat(update.before().get("body").asText()).isEqualTo(body);
        assertThat(update.after().get("title").asText()).isEqualTo("second");
        assertThat(update.after().get("body").asText()).isEqualTo(body);
        assertThat(update.changed()).containsExactly("title");
        assertThat(new String(update.toJson(), StandardCharsets.UTF_8)).doesNotContain("__debezium_unavailable_value");
    }

    @Test
    void updateWithoutPriorStateIsMarkedIncompleteAndNeverCarriesThePlaceholder() {
        Fixtures.Raw update = Fixtures.one("update-toast-unchanged", "u");
        p.raw("public.docs", update.key(), update.value(), update.types());

        ChangeEvent e = p.changes().get(0);
        assertThat(e.complete()).isFalse();
        assertThat(e.missing()).containsExactlyInAnyOrder("before", "after.body");
        assertThat(e.after().has("body")).isFalse();
        assertThat(new String(e.toJson(), StandardCharsets.UTF_8)).doesNotContain("__debezium_unavailable_value");
    }

    @Test
    void deleteGetsItsFullBeforeImageAndFreesTheRowState() {
        p.change("public.orders", "c", row("id", 7), null, row("id", 7, "status", "new", "total", "12.50"));
        p.change("public.orders", "d", row("id", 7), row("id", 7, "status", null, "total", null), null);

        ChangeEvent delete = p.changes().get(1);
        assertThat(delete.before()).isEqualTo(row("id", 7, "status", "new", "total", "12.50"));
        assertThat(delete.complete()).isTrue();
        KeyValueStore<String, byte[]> states = p.driver.getKeyValueStore(EnrichProcessor.STORE);
        assertThat(states.get("public.orders{\"id\":7}")).isNull();
    }

    @Test
    void deleteOfNotNullColumnsUnderDefaultIdentityTakesTheStoredValuesNotDebeziumsPlaceholders() {
        // Debezium fills NOT NULL columns it was not sent with "" and 0
        p.change("public.orders", "c", row("id", 8), null, row("id", 8, "name", "Bob", "qty", 3));
        p.change("public.orders", "d", row("id", 8), row("id", 8, "name", "", "qty", 0), null);
        assertThat(p.changes().get(1).before()).isEqualTo(row("id", 8, "name", "Bob", "qty", 3));
    }

    @Test
    void deleteWithoutAKnownStateNamesItsColumnsMissingAndPresentsNoPlaceholder() {
        p.change("public.orders", "d", row("id", 9), row("id", 9, "name", "", "qty", 0, "at", "1970-01-01T00:00:00Z", "note", null), null);
        ChangeEvent delete = p.changes().get(0);
        assertThat(delete.before()).isEqualTo(row("id", 9));
        assertThat(delete.complete()).isFalse();
        assertThat(delete.missing()).containsExactly("before.name", "before.qty", "before.at", "before.note");
    }

    /** dm.types of notes(id int4, doc jsonb, note text), as capture's transform writes it. */
    private static final byte[] NOTE_TYPES = "{\"id\":\"int32|int4\",\"doc\":\"io.debezium.data.Json|jsonb\",\"note\":\"string|text\"}"
            .getBytes(StandardCharsets.UTF_8);
    private long noteLsn = 0x17A0000;

    /** A change of public.notes under REPLICA IDENTITY DEFAULT, the JSON null of doc sent as Debezium does: the text "null". */
    private void note(String op, ObjectNode before, ObjectNode after) {
        noteLsn += 0x100;
        p.raw("public.notes", Json.toBytes(row("id", 1)), Pipeline.envelope("public.notes", op, before, after, noteLsn - 0x80, noteLsn),
                NOTE_TYPES);
    }

    @Test
    void beforeImagesFilledFromTheRowStateKeepWhetherAJsonbValueWasJsonNullOrSqlNull() {
        note("c", null, row("id", 1, "doc", "null", "note", null));
        note("u", null, row("id", 1, "doc", "null", "note", "edited")); // DEFAULT identity: no before image
        note("u", null, row("id", 1, "doc", null, "note", "edited")); // the JSON null becomes SQL NULL
        note("u", null, row("id", 1, "doc", "null", "note", "edited"));
        note("d", row("id", 1, "doc", null, "note", null), null); // only the key is real: Debezium fills the rest with null

        List<ChangeEvent> changes = p.changes();
        assertThat(changes).extracting(ChangeEvent::jsonNulls).containsExactly(List.of("after.doc"),
                List.of("after.doc", "before.doc"), List.of("before.doc"), List.of("after.doc"), List.of("before.doc"));
        assertThat(changes).extracting(ChangeEvent::changed).containsExactly(List.of(), List.of("note"), List.of("doc"),
                List.of("doc"), List.of());
        ChangeEvent delete = changes.get(4);
        assertThat(delete.complete()).isTrue();
        assertThat(delete.before()).isEqualTo(row("id", 1, "doc", null, "note", "edited"));
    }

    @Test
    void theRowStateStoresItsJsonNullsAndStateWrittenBeforeThemStillReads() {
        note("c", null, row("id", 1, "doc", "null", "note", null));
        KeyValueStore<String, byte[]> states = p.driver.getKeyValueStore(EnrichProcessor.STORE);
        String stored = new String(states.get("public.notes{\"id\":1}"), StandardCharsets.UTF_8);
        assertThat(stored).contains("\"jsonNulls\":[\"doc\"]");
        assertThat(RowState.fromBytes(stored.getBytes(StandardCharsets.UTF_8)).jsonNulls()).containsExactly("doc");

        // what a streams-app without JSON nulls stored: read as a row without any
        states.put("public.notes{\"id\":1}", "{\"lsn\":\"0/1\",\"row\":{\"id\":1,\"doc\":null,\"note\":\"old\"}}"
                .getBytes(StandardCharsets.UTF_8));
        note("d", row("id", 1, "doc", null, "note", null), null);
        ChangeEvent delete = p.changes().get(1);
        assertThat(delete.before()).isEqualTo(row("id", 1, "doc", null, "note", "old"));
        assertThat(delete.jsonNulls()).isEmpty();
        assertThat(delete.complete()).isTrue();
    }

    @Test
    void fullReplicaIdentityChangesPassCompleteAndKeepTheirOwnBeforeImage() {
        p.change("public.audit", "c", null, null, row("at", "2026-11-23T10:00:00Z", "message", "created"));
        p.change("public.audit", "u", null, row("at", "2026-11-23T10:00:00Z", "message", "created"),
                row("at", "2026-11-23T10:00:00Z", "message", "edited"));

        ChangeEvent update = p.changes().get(1);
        assertThat(update.complete()).isTrue();
        assertThat(update.before().get("message").asText()).isEqualTo("created");
        assertThat(update.changed()).containsExactly("message");
    }

    @Test
    void aReplayedChangeIsDroppedSoNoVersionIsDoubled() {
        Fixtures.Raw insert = Fixtures.one("stream-all-types", "c");
        p.raw("public.all_types", insert.key(), insert.value(), insert.types());
        p.raw("public.all_types", insert.key(), insert.value(), insert.types());
        Fixtures.Raw update = Fixtures.one("stream-all-types", "u");
        p.raw("public.all_types", update.key(), update.value(), update.types());

        assertThat(p.changes()).extracting(ChangeEvent::op).containsExactly(Op.INSERT, Op.UPDATE);
        assertThat(p.metrics.replays).hasValue(1);
    }

    @Test
    void updateOfAnotherColumnListsOnlyWhatChanged() {
        p.change("public.orders", "r", row("id", 1), null, row("id", 1, "status", "new", "note", "x"));
        p.change("public.orders", "u", row("id", 1), null, row("id", 1, "status", "new", "note", "y"));
        assertThat(p.changes().get(1).changed()).containsExactly("note");
    }
}
