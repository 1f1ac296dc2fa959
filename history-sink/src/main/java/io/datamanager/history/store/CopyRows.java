package io.datamanager.history.store;

import io.datamanager.model.ChangeEvent;
import java.util.List;

/**
 * One version as a line of COPY's text format, in the order of {@link #COLUMNS}: the one place that knows the
 * format, so the store (into {@code dm_version}, or into its staging table) and the test that places characters at
 * chunk boundaries agree.
 */
final class CopyRows {
    private CopyRows() {}

    /** The columns of a line, as COPY names them. */
    static final String COLUMNS = "event_id, table_name, row_key, pk, op, before, after, changed, complete, missing, lsn, tx_id, "
            + "commit_ts, capture_ts, json_nulls";

    /** The line (with its newline) of a version. */
    static String row(ChangeEvent e) {
        StringBuilder line = new StringBuilder(600);
        value(line, e.id());
        field(line, e.table());
        field(line, e.key().substring(e.table().length()));
        field(line, e.pk().toString());
        field(line, e.op().wireName());
        field(line, e.before() == null ? null : e.before().toString());
        field(line, e.after() == null ? null : e.after().toString());
        field(line, textArray(e.changed()));
        field(line, e.complete() ? "t" : "f");
        field(line, textArray(e.missing()));
        field(line, e.lsn());
        field(line, e.txId() == null ? null : e.txId().toString());
        field(line, e.commitTs().toString());
        field(line, e.captureTs() == null ? null : e.captureTs().toString());
        field(line, textArray(e.jsonNulls()));
        return line.append('\n').toString();
    }

    /** A tab-separated field of COPY's text format: backslash escapes, {@code \\N} for null. */
    private static void field(StringBuilder out, String value) {
        out.append('\t');
        value(out, value);
    }

    private static void value(StringBuilder out, String value) {
        if (value == null) {
            out.append("\\N");
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(ch);
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
