package io.datamanager.history.store;

import io.datamanager.model.ChangeEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * One version as a line of COPY's text format (UTF-8), in the order of {@link #COLUMNS}: the one place that knows the
 * format, so the store (into {@code dm_version}, or into its staging table), the ingest's direct read of a record
 * ({@link DirectVersion}) and the test that places characters at chunk boundaries agree.
 */
final class CopyRows {
    private CopyRows() {}

    /** The columns of a line, as COPY names them. */
    static final String COLUMNS = "event_id, table_name, row_key, pk, op, before, after, changed, complete, missing, lsn, tx_id, "
            + "commit_ts, capture_ts, json_nulls";

    /** The line (with its newline) of a version. */
    static byte[] row(ChangeEvent e) {
        Line line = new Line(600);
        line.first(e.id());
        line.text(e.table());
        line.text(e.key().substring(e.table().length()));
        line.text(e.pk().toString());
        line.text(e.op().wireName());
        line.text(e.before() == null ? null : e.before().toString());
        line.text(e.after() == null ? null : e.after().toString());
        rest(line, e.changed(), e.complete(), e.missing(), e.lsn(), e.txId(), e.commitTs(), e.captureTs(), e.jsonNulls());
        return line.end();
    }

    /** The columns after the images, the same for both ways of making a line. */
    static void rest(Line line, List<String> changed, boolean complete, List<String> missing, String lsn, Long txId, Instant commitTs,
            Instant captureTs, List<String> jsonNulls) {
        line.text(textArray(changed));
        line.text(complete ? "t" : "f");
        line.text(textArray(missing));
        line.text(lsn);
        line.text(txId == null ? null : txId.toString());
        line.text(commitTs.toString());
        line.text(captureTs == null ? null : captureTs.toString());
        line.text(textArray(jsonNulls));
    }

    /**
     * A line being written: tab-separated fields of COPY's text format, backslash escapes, {@code \N} for null. Text is
     * encoded as {@link String#getBytes} encodes it; JSON already encoded (an image read from a record) is copied as it is,
     * escaped the same way: the characters COPY escapes are ASCII, and no byte of a multi-byte UTF-8 character is.
     */
    static final class Line {
        private byte[] bytes;
        private int size;

        Line(int capacity) {
            bytes = new byte[capacity];
        }

        void first(String value) {
            value(value);
        }

        void text(String value) {
            put((byte) '\t');
            value(value);
        }

        /** A field of UTF-8 bytes taken as they are (escaped), {@code json[from, to)}. */
        void raw(byte[] json, int from, int to) {
            put((byte) '\t');
            escaped(json, from, to);
        }

        void nul() {
            put((byte) '\t');
            put((byte) '\\');
            put((byte) 'N');
        }

        byte[] end() {
            put((byte) '\n');
            return Arrays.copyOf(bytes, size);
        }

        private void value(String value) {
            if (value == null) {
                put((byte) '\\');
                put((byte) 'N');
                return;
            }
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            escaped(utf8, 0, utf8.length);
        }

        private void escaped(byte[] in, int from, int to) {
            room(to - from);
            for (int i = from; i < to; i++) {
                byte b = in[i];
                switch (b) {
                    case '\\' -> pair('\\');
                    case '\n' -> pair('n');
                    case '\r' -> pair('r');
                    case '\t' -> pair('t');
                    default -> put(b);
                }
            }
        }

        private void pair(char escaped) {
            put((byte) '\\');
            put((byte) escaped);
        }

        private void put(byte b) {
            if (size == bytes.length) {
                room(1);
            }
            bytes[size++] = b;
        }

        private void room(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more + 16));
            }
        }
    }

    /** A PostgreSQL array literal of column names or paths (quoted, so any name is safe). */
    private static String textArray(List<String> values) {
        StringBuilder sb = new StringBuilder("{");
        for (String v : values) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return sb.append('}').toString();
    }
}
