package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.history.store.Version;
import java.util.List;

/**
 * The compensating SQL of a restore and what stands in its way.
 *
 * @param statements parameterised SQL, in the order to run it (foreign-key safe for a transaction)
 * @param conflicts rows that changed after the change the restore undoes, or whose live state is not history's
 * @param alreadyInState rows already in the state restored: left alone, no statement, no conflict
 * @param liveChecked whether the live rows were compared (needs the restore connection)
 * @param applied whether the statements were run against the source database
 */
public record RestorePlan(List<Statement> statements, List<Conflict> conflicts, List<Row> alreadyInState, boolean liveChecked,
        boolean applied) {

    public record Statement(String sql, List<Object> params) {}

    public record Row(String table, ObjectNode pk) {}

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

    RestorePlan withApplied(boolean applied) {
        return new RestorePlan(statements, conflicts, alreadyInState, liveChecked, applied);
    }
}
