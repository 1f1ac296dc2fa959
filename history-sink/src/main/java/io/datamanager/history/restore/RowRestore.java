package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One row to move from the state the restore starts from to the target state.
 *
 * @param from the row as the restore believes it is now (null: absent)
 * @param to the row as it shall be (null: absent)
 * @param changedLater true when history holds versions of the row newer than {@code from}
 */
record RowRestore(String table, ObjectNode pk, ObjectNode from, ObjectNode to, boolean changedLater) {}
