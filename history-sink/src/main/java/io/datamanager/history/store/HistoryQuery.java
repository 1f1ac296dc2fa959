package io.datamanager.history.store;

import io.datamanager.model.Op;
import java.time.Instant;
import java.util.Map;

/**
 * A history search. Column names and values stay parameters: nothing of it is ever spliced into SQL.
 *
 * @param pk key columns and their values as given (text)
 * @param match column -> value (as given) that must appear in the before or after image: equal as text, or as
 *     JSON when it reads as JSON ({@code 42} finds the number 42 and the text "42")
 */
public record HistoryQuery(String table, Map<String, String> pk, Op op, Instant since, Instant until, String changed,
        Map<String, String> match, int limit, Cursor cursor) {

    /** Where the previous page ended: newest first by commit time, then version id. */
    public record Cursor(Instant commitTs, long versionId) {}
}
