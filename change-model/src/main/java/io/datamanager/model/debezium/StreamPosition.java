package io.datamanager.model.debezium;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.ValidationException;
import java.nio.charset.StandardCharsets;

/**
 * Where a raw change stands in capture's output, so that a change capture sends again can be told from a new
 * one without knowing anything of its row. PostgreSQL decodes whole transactions in commit order, so a
 * change's own LSN goes backwards whenever transactions interleave (one that wrote earlier commits later).
 * Debezium's {@code source.sequence} is {@code ["<LSN of the last commit before this change>", "<LSN of the
 * change>"]}, and that pair, compared in order, only grows along capture's output and so along every
 * {@code dm.cdc.*} partition: the commit part grows from one transaction to the next, the change part within
 * one. A replay is the same records again, with the same positions.
 *
 * <ul>
 *   <li>Until capture has seen a commit (the first transaction after it started from a snapshot), Debezium
 *       writes no commit LSN: such a change is placed at (its LSN, its LSN). Its transaction comes before the
 *       next commit, whose LSN is higher than all of its changes, so the order still holds.</li>
 *   <li>Several changes can share one position: one WAL record for many rows ({@code COPY}), or the delete
 *       and insert of an update of a key. They differ by event id.</li>
 *   <li>Snapshot reads all carry the snapshot's LSN and no commit: they have no order among themselves
 *       ({@link #snapshot()}).</li>
 * </ul>
 *
 * @param commit the LSN of the last commit before the change (the change's own LSN when Debezium knows none)
 * @param change the change's own LSN ({@code source.lsn}); for a snapshot read, the snapshot's
 * @param snapshot true for a snapshot read (op {@code r})
 */
public record StreamPosition(Lsn commit, Lsn change, boolean snapshot) implements Comparable<StreamPosition> {

    public StreamPosition {
        if (commit == null || change == null) {
            throw new ValidationException("source.sequence", "needs a commit and a change LSN");
        }
    }

    /**
     * Reads {@code source.sequence} (a JSON array as text, as Debezium writes it, or an array).
     *
     * @return null when the source block has no sequence (not written by Debezium's PostgreSQL connector)
     * @throws ValidationException naming {@code source.sequence} when it is there but not two LSNs
     */
    static StreamPosition of(JsonNode source, Lsn lsn, boolean snapshot) {
        JsonNode sequence = source.get("sequence");
        if (sequence == null || sequence.isNull()) {
            return null;
        }
        if (sequence.isTextual()) {
            StreamPosition plain = plain(sequence.asText(), lsn, snapshot);
            if (plain != null) {
                return plain;
            }
            sequence = Json.tree(sequence.asText().getBytes(StandardCharsets.UTF_8), "source.sequence");
        }
        if (!sequence.isArray() || sequence.size() != 2) {
            throw new ValidationException("source.sequence", "must be [\"<last commit LSN>\", \"<LSN>\"], was " + sequence);
        }
        Lsn change = number(sequence.get(1));
        if (change == null) {
            change = lsn;
        }
        Lsn commit = number(sequence.get(0));
        return new StreamPosition(snapshot || commit == null ? change : commit, change, snapshot);
    }

    /**
     * The text Debezium writes, {@code ["<digits>","<digits>"]} with either element possibly {@code null}, read without a
     * JSON parser (it comes with every record); null for any other text, which the JSON path then reads or refuses.
     */
    private static StreamPosition plain(String text, Lsn lsn, boolean snapshot) {
        int comma = text.indexOf(',');
        if (text.length() < 5 || text.charAt(0) != '[' || text.charAt(text.length() - 1) != ']' || comma < 0) {
            return null;
        }
        long[] parts = new long[2];
        boolean[] known = new boolean[2];
        String[] elements = {text.substring(1, comma), text.substring(comma + 1, text.length() - 1)};
        for (int i = 0; i < 2; i++) {
            String e = elements[i];
            if (e.equals("null")) {
                continue;
            }
            if (e.length() < 3 || e.length() > 22 || e.charAt(0) != '"' || e.charAt(e.length() - 1) != '"') {
                return null;
            }
            for (int c = 1; c < e.length() - 1; c++) {
                if (e.charAt(c) < '0' || e.charAt(c) > '9') {
                    return null;
                }
            }
            try {
                parts[i] = Long.parseUnsignedLong(e, 1, e.length() - 1, 10);
            } catch (NumberFormatException tooLarge) {
                return null;
            }
            known[i] = true;
        }
        Lsn change = known[1] ? new Lsn(parts[1]) : lsn;
        Lsn commit = known[0] ? new Lsn(parts[0]) : null;
        return new StreamPosition(snapshot || commit == null ? change : commit, change, snapshot);
    }

    private static Lsn number(JsonNode element) {
        if (element.isNull()) {
            return null;
        }
        try {
            return new Lsn(Long.parseUnsignedLong(element.asText()));
        } catch (NumberFormatException e) {
            throw new ValidationException("source.sequence", "must hold LSNs as decimal numbers, was " + element);
        }
    }

    /** Capture's order: commit part first, then the change's own LSN. Meaningful between streamed changes. */
    @Override
    public int compareTo(StreamPosition other) {
        int byCommit = commit.compareTo(other.commit);
        return byCommit != 0 ? byCommit : change.compareTo(other.change);
    }
}
