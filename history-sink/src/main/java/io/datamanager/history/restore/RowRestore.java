package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.history.store.Version;
import java.util.List;

/**
 * One row to move from its newest state to the target state, with what history holds after the change the
 * restore undoes (the mistake: the first change after the point restored, every version of its transaction).
 *
 * @param from the row as history's newest version has it (null: absent); the SQL is written against it
 * @param to the row as it shall be (null: absent)
 * @param undone the row as the change this restore undoes left it (null: absent)
 * @param later versions newer than that change, oldest first (at most {@link RestoreTargets#LATER_SHOWN}):
 *     changes made after the mistake, which only a forced restore overwrites
 */
record RowRestore(String table, ObjectNode pk, ObjectNode from, ObjectNode to, ObjectNode undone, List<Version> later) {
    RowRestore {
        later = List.copyOf(later);
    }

    boolean changedLater() {
        return !later.isEmpty();
    }
}
