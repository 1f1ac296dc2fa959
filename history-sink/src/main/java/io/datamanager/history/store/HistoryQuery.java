package io.datamanager.history.store;

import io.datamanager.model.Op;
import java.time.Instant;
import java.util.Map;

/**
 * A history search. Column names and values stay parameters: nothing of it is ever spliced into SQL.
 *
 * @param pk key columns and their values as given (text)
 * @param txId only versions written by this source transaction, when given
 * @param match column -> value that must appear in the before or after image: equal as text, or as JSON when it
 *     reads as JSON ({@code 42} finds the number 42 and the text "42")
 */
public record HistoryQuery(String table, Map<String, String> pk, Op op, Instant since, Instant until, String changed, Long txId,
        Map<String, Match> match, int limit, Cursor cursor) {

    /** Where the previous page ended: newest first by commit time, then version id. */
    public record Cursor(Instant commitTs, long versionId) {}

    /** A value to match: its text, and its JSON reading (null when the value is not one JSON value). */
    public record Match(String text, String json) {}
}
