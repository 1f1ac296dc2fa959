package io.datamanager.streams.topology;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills what Debezium could not send from the row's last known state: the before image of updates and
 * deletes under {@code REPLICA IDENTITY DEFAULT}, and unchanged TOAST values in after images. Pure: given
 * a change and the previous state it returns the completed change and the row's new state. Replays never get
 * here ({@link ReplayGuard}): the state is only ever moved forward. A value taken from the state keeps whether it was
 * a JSON null or SQL NULL ({@link ChangeEvent#jsonNulls}): the state stores the row's JSON nulls beside the row.
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
            case SNAPSHOT, INSERT -> new Result(e, new RowState(e.lsn(), e.after(), columns(e.jsonNulls(), "after.")), false);
            case UPDATE -> update(e, previous);
            case DELETE -> delete(e, previous);
            case TRUNCATE -> new Result(e, null, false);
        };
    }

    private static Result update(ChangeEvent e, RowState previous) {
        List<String> missing = new ArrayList<>();
        List<String> jsonNulls = new ArrayList<>(e.jsonNulls());
        ObjectNode before = e.before();
        if (before == null) {
            if (previous != null) {
                before = previous.row().deepCopy();
                previous.jsonNulls().forEach(column -> jsonNulls.add("before." + column));
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
                    if (previous.jsonNulls().contains(column)) {
                        jsonNulls.add(path);
                    }
                } else {
                    missing.add(path);
                }
            } else if (!path.equals("before") || before == null) {
                if (!missing.contains(path)) {
                    missing.add(path);
                }
            }
        }
        List<String> changed = before == null ? List.of() : ChangeEvent.changedColumns(before, after, missing, jsonNulls);
        ChangeEvent out = e.withImages(before, after, changed, missing, jsonNulls);
        return new Result(out, new RowState(e.lsn(), after, columns(jsonNulls, "after.")), false);
    }

    private static Result delete(ChangeEvent e, RowState previous) {
        if (previous == null) {
            return new Result(e, null, true);
        }
        // the stored state is the row just before the delete; the parse kept only the key of what Debezium sent
        // (the rest is either the same, under REPLICA IDENTITY FULL, or placeholders) and named the rest missing
        ObjectNode before = previous.row().deepCopy();
        e.pk().fields().forEachRemaining(column -> before.set(column.getKey(), column.getValue()));
        List<String> jsonNulls = new ArrayList<>(e.jsonNulls()); // the key columns' own, the rest from the state
        previous.jsonNulls().stream().filter(column -> !e.pk().has(column) && !jsonNulls.contains("before." + column))
                .forEach(column -> jsonNulls.add("before." + column));
        List<String> missing = new ArrayList<>();
        for (String path : e.missing()) {
            String column = path.startsWith("before.") ? path.substring("before.".length()) : null;
            if (column == null || !before.has(column)) {
                missing.add(path);
            }
        }
        return new Result(e.withImages(before, null, List.of(), missing, jsonNulls), null, true);
    }

    /** The columns of one image ({@code prefix} {@code after.} or {@code before.}) among a change's JSON nulls. */
    private static List<String> columns(List<String> jsonNulls, String prefix) {
        return jsonNulls.stream().filter(path -> path.startsWith(prefix)).map(path -> path.substring(prefix.length())).toList();
    }
}
