package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The compensating SQL of a restore and what stands in its way.
 *
 * @param statements parameterised SQL, in the order to run it (foreign-key safe for a transaction)
 * @param conflicts rows whose current state is not the version the restore starts from
 * @param liveChecked whether the live rows were compared (needs the restore connection)
 * @param applied whether the statements were run against the source database
 */
public record RestorePlan(List<Statement> statements, List<Conflict> conflicts, boolean liveChecked, boolean applied) {

    public record Statement(String sql, List<Object> params) {}

    /**
     * @param reason {@code changed-later} (history has newer versions) or {@code live-differs}
     * @param expected the row the restore starts from (null: absent)
     * @param actual what was found (null: absent)
     */
    public record Conflict(String table, ObjectNode pk, String reason, ObjectNode expected, ObjectNode actual) {}

    RestorePlan withApplied(boolean applied) {
        return new RestorePlan(statements, conflicts, liveChecked, applied);
    }

    RestorePlan withConflicts(List<Conflict> conflicts, boolean liveChecked) {
        return new RestorePlan(statements, conflicts, liveChecked, applied);
    }
}
