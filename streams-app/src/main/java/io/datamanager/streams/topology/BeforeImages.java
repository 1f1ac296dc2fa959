package io.datamanager.streams.topology;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills what Debezium could not send from the row's last known state: the before image of updates and
 * deletes under {@code REPLICA IDENTITY DEFAULT}, and unchanged TOAST values in after images. Pure: given
 * a change and the previous state it returns the completed change and the row's new state. Replays never get
 * here ({@link ReplayGuard}): the state is only ever moved forward.
 */
final class BeforeImages {
    private BeforeImages() {}

    /**
     * @param emit the completed change
     * @param state the row's new state, or null when the row is gone (delete) or the state is unchanged
     * @param deleteState true when the row's state is to be removed
     */
    record Result(ChangeEvent emit, RowState state, boolean deleteState) {}

    static Result apply(ChangeEvent e, RowState previous) {
        return switch (e.op()) {
            case SNAPSHOT, INSERT -> new Result(e, new RowState(e.lsn(), e.after()), false);
            case UPDATE -> update(e, previous);
            case DELETE -> delete(e, previous);
            case TRUNCATE -> new Result(e, null, false);
        };
    }

    private static Result update(ChangeEvent e, RowState previous) {
        List<String> missing = new ArrayList<>();
        ObjectNode before = e.before();
        if (before == null) {
            if (previous != null) {
                before = previous.row().deepCopy();
            } else {
                missing.add("before");
            }
        }
        ObjectNode after = e.after();
        for (String path : e.missing()) {
            if (path.startsWith("after.")) {
                String column = path.substring("after.".length());
                if (previous != null && previous.row().has(column)) {
                    after.set(column, previous.row().get(column)); // an unchanged TOAST value is the previous value
                } else {
                    missing.add(path);
                }
            } else if (!path.equals("before") || before == null) {
                if (!missing.contains(path)) {
                    missing.add(path);
                }
            }
        }
        List<String> changed = before == null ? List.of() : ChangeEvent.changedColumns(before, after, missing);
        ChangeEvent out = rebuild(e, before, after, changed, missing);
        return new Result(out, new RowState(e.lsn(), after), false);
    }

    private static Result delete(ChangeEvent e, RowState previous) {
        if (previous == null) {
            return new Result(e, null, true);
        }
        // the stored state is the row just before the delete; the parse kept only the key of what Debezium sent
        // (the rest is either the same, under REPLICA IDENTITY FULL, or placeholders) and named the rest missing
        ObjectNode before = previous.row().deepCopy();
        e.pk().fields().forEachRemaining(column -> before.set(column.getKey(), column.getValue()));
        List<String> missing = new ArrayList<>();
        for (String path : e.missing()) {
            String column = path.startsWith("before.") ? path.substring("before.".length()) : null;
            if (column == null || !before.has(column)) {
                missing.add(path);
            }
        }
        return new Result(rebuild(e, before, null, List.of(), missing), null, true);
    }

    private static ChangeEvent rebuild(ChangeEvent e, ObjectNode before, ObjectNode after, List<String> changed,
            List<String> missing) {
        return e.withImages(before, after, changed, missing);
    }
}
