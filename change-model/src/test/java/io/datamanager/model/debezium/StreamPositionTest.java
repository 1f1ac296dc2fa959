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
