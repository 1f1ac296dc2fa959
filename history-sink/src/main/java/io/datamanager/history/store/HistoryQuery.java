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
 * @param context only versions of transactions whose application context matches every one of these
 */
public record HistoryQuery(String table, Map<String, String> pk, Op op, Instant since, Instant until, String changed, Long txId,
        Map<String, Match> match, java.util.List<ContextMatch> context, int limit, Cursor cursor) {

    /** Where the previous page ended: newest first by commit time, then version id. */
    public record Cursor(Instant commitTs, long versionId) {}

    /** A value to match: its text, and its JSON reading (null when the value is not one JSON value). */
    public record Match(String text, String json) {}

    /**
     * A {@code context.<key>=<value>} filter: the context contains one of {@code forms}, each a JSON object of the key
     * and one reading of the value (see {@link ContextStore#match}).
     */
    public record ContextMatch(String key, java.util.List<String> forms) {}
}
