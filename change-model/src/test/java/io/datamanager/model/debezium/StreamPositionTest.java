package io.datamanager.model.debezium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.ValidationException;
import org.junit.jupiter.api.Test;

class StreamPositionTest {

    @Test
    void aStreamedChangeStandsAtTheLastCommitThenItsOwnLsn() {
        Fixtures.Raw raw = Fixtures.one("stream-composite-key", "u");
        StreamPosition p = position(raw);
        String[] sequence = raw.envelope().get("source").get("sequence").asText().replaceAll("[\\[\\]\"]", "").split(",");
        assertThat(p.commit()).isEqualTo(new Lsn(Long.parseLong(sequence[0])));
        assertThat(p.change()).isEqualTo(new Lsn(raw.envelope().get("source").get("lsn").asLong()));
        assertThat(p.snapshot()).isFalse();
    }

    @Test
    void anInterleavedTransactionThatCommitsLaterComesLaterThoughItsChangeLsnIsLower() {
        StreamPosition committedFirst = position(envelope("c", "[\"1000\",\"2000\"]", 2000));
        StreamPosition begunEarlierCommittedLater = position(envelope("c", "[\"2100\",\"1500\"]", 1500));
        assertThat(begunEarlierCommittedLater).isGreaterThan(committedFirst);
        assertThat(position(envelope("c", "[\"2100\",\"1600\"]", 1600))).isGreaterThan(begunEarlierCommittedLater);
        assertThat(position(envelope("c", "[\"2100\",\"1500\"]", 1500))).isEqualByComparingTo(begunEarlierCommittedLater);
    }

    @Test
    void snapshotReadsShareTheSnapshotsLsn() {
        StreamPosition p = position(Fixtures.one("snapshot-all-types", "r"));
        assertThat(p.snapshot()).isTrue();
        assertThat(p.commit()).isEqualTo(p.change());
    }

    @Test
    void theFirstTransactionAfterASnapshotWithoutACommitLsnStandsAtItsOwnLsn() {
        StreamPosition p = position(envelope("u", "[null,\"5000\"]", 5000));
        assertThat(p.commit()).isEqualTo(new Lsn(5000)).isEqualTo(p.change());
        assertThat(position(envelope("u", "[\"5100\",\"5200\"]", 5200))).isGreaterThan(p);
    }

    @Test
    void anEnvelopeWithoutASequenceHasNoPosition() {
        ObjectNode envelope = envelope("c", null, 7000);
        ((ObjectNode) envelope.get("source")).remove("sequence");
        assertThat(DebeziumEnvelopes.read(null, Json.toBytes(envelope), ColumnTypes.UNKNOWN).orElseThrow().position()).isNull();
    }

    @Test
    void aMalformedSequenceIsRejectedNamingTheField() {
        assertThatThrownBy(() -> position(envelope("c", "[\"x\",\"1\"]", 1))).isInstanceOf(ValidationException.class)
                .extracting("field").isEqualTo("source.sequence");
        assertThatThrownBy(() -> position(envelope("c", "[\"1\"]", 1))).isInstanceOf(ValidationException.class)
                .extracting("field").isEqualTo("source.sequence");
    }

    @Test
    void debeziumsCompactTextIsReadAsAnyOtherSpellingOfTheSameArray() {
        // the compact text Debezium writes takes a path without a JSON parser; spaces, bare numbers and unsigned 64-bit
        // LSNs read alike, and what is not two LSNs is still refused
        for (String[] same : new String[][] {{"[\"1000\",\"2000\"]", "[ \"1000\" , \"2000\" ]"}, {"[null,\"5000\"]", "[null, \"5000\"]"},
            {"[\"1000\",null]", "[1000, null]"}, {"[\"18446744073709551615\",\"2000\"]", "[ \"18446744073709551615\",\"2000\"]"}}) {
            assertThat(position(envelope("u", same[0], 2000))).isEqualTo(position(envelope("u", same[1], 2000)));
        }
        assertThat(position(envelope("u", "[\"18446744073709551615\",\"2000\"]", 2000)).commit()).isEqualTo(new Lsn(-1L));
        for (String bad : new String[] {"[\"1\",\"2\",\"3\"]", "[\"-1\",\"2\"]", "[\"\",\"2\"]", "[\"18446744073709551616\",\"2\"]"}) {
            assertThatThrownBy(() -> position(envelope("c", bad, 1))).as(bad).isInstanceOf(ValidationException.class)
                    .extracting("field").isEqualTo("source.sequence");
        }
    }

    private static StreamPosition position(Fixtures.Raw raw) {
        return DebeziumEnvelopes.read(raw.key(), raw.value(), ColumnTypes.fromHeader(raw.types())).orElseThrow().position();
    }

    private static StreamPosition position(ObjectNode envelope) {
        return DebeziumEnvelopes.read(null, Json.toBytes(envelope), ColumnTypes.UNKNOWN).orElseThrow().position();
    }

    /** A keyless insert or update of {@code public.t} with the given {@code source.sequence} text. */
    private static ObjectNode envelope(String op, String sequence, long lsn) {
        ObjectNode envelope = Json.mapper().createObjectNode();
        envelope.putObject("after").put("id", 1);
        if (op.equals("u")) {
            envelope.putObject("before").put("id", 1);
        }
        envelope.putObject("source").put("schema", "public").put("table", "t").put("lsn", lsn).put("ts_us", 1L)
                .put("sequence", sequence);
        envelope.put("op", op).put("ts_us", 2L);
        return envelope;
    }
}
