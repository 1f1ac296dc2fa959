package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.history.store.Version;
import java.util.List;

/**
 * The compensating SQL of a restore and what stands in its way.
 *
 * @param summary per table, how many rows the statements insert, update and delete
 * @param statements the SQL in the order it runs: by the source's foreign keys when the catalog was read
 *     ({@code orderedBy: "foreign-keys"}), else history's order undone backwards ({@code "history"})
 * @param conflicts rows that changed after the change the restore undoes, or whose live state is not history's
 * @param alreadyInState rows already in the state restored: left alone, no statement, no conflict
 * @param columnsNotRestored values the restore leaves as they are, and why: {@code dropped} (the column is no longer
 *     in the table), {@code changed-later} (with {@code "columns": "mistake-only"}: changed again after the mistake)
 * @param deferredConstraints deferrable foreign keys a cycle among the rows needs deferred to commit (SET CONSTRAINTS)
 * @param orderedBy {@code foreign-keys} or {@code history}
 * @param liveChecked whether the live rows were compared (needs the restore connection)
 * @param historyCompleteTo for a transaction or window restore: the source WAL position up to which history was
 *     shown to hold every change before planning (null: not checked, no restore connection)
 * @param applied whether the statements were run against the source database
 * @param transaction the source transaction that applied the restore, so it can itself be undone ({@code {"txId": ...}})
 */
public record RestorePlan(List<TableSummary> summary, List<Statement> statements, List<Conflict> conflicts,
        List<Row> alreadyInState, List<NotRestored> columnsNotRestored, List<String> deferredConstraints, String orderedBy,
        boolean liveChecked, String historyCompleteTo, boolean applied, Applied transaction) {

    /**
     * One statement: {@code sql} with {@code params} (text, cast to the column type in the SQL) as it runs, and
     * {@code pasteable}, the same with the values as quoted literals, to read or paste into psql.
     */
    public record Statement(String table, ObjectNode pk, String action, String sql, List<Object> params, String pasteable) {}

    public record TableSummary(String table, int insert, int update, int delete) {}

    public record Row(String table, ObjectNode pk) {}

    public record NotRestored(String table, ObjectNode pk, List<String> columns, String reason) {}

    /** The restore's own source transaction: its id (as history records it) and the WAL position after its commit. */
    public record Applied(long txId, String lsn) {}

    /**
     * @param reason {@code changed-later} (history holds changes made after the change the restore undoes) or
     *     {@code live-differs} (the live row is not history's newest version)
     * @param expected changed-later: the row as the undone change left it; live-differs: history's newest
     *     version (null: absent)
     * @param actual the live row when {@code liveChecked}, else history's newest version (null: the row does not exist)
     * @param laterVersions changed-later: the versions after the undone change, oldest first (at most 100), which
     *     a forced restore overwrites; empty for live-differs
     */
    public record Conflict(String table, ObjectNode pk, String reason, ObjectNode expected, ObjectNode actual,
            List<Version> laterVersions) {}

    RestorePlan withHistoryCompleteTo(String lsn) {
        return new RestorePlan(summary, statements, conflicts, alreadyInState, columnsNotRestored, deferredConstraints, orderedBy,
                liveChecked, lsn, applied, transaction);
    }

    RestorePlan appliedIn(Applied applied) {
        return new RestorePlan(summary, statements, conflicts, alreadyInState, columnsNotRestored, deferredConstraints, orderedBy,
                liveChecked, historyCompleteTo, true, applied);
    }
}
