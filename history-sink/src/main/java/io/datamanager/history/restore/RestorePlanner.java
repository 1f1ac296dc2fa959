package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns the rows of a restore, what was found of each live, and the source's schema into the plan: a row already in
 * the state restored is left alone; else a change after the undone one is a {@code changed-later} conflict (with
 * {@code "columns": "mistake-only"}, an update restores only the columns the mistake changed and no one changed
 * since, and reports the rest instead), a live row not as history's newest a {@code live-differs} one. The statements
 * are ordered by the foreign keys when the catalog was read.
 */
final class RestorePlanner {
    /** What the restore found of one row: already as restored, live not as history's newest, and the row seen. */
    record Found(boolean inState, boolean liveDiffers, ObjectNode actual) {}

    private RestorePlanner() {}

    static RestorePlan plan(List<RowRestore> rows, List<Found> found, SourceSchema schema, boolean fromCatalog, boolean mistakeOnly) {
        List<StatementOrder.Planned> planned = new ArrayList<>();
        List<RestorePlan.Conflict> conflicts = new ArrayList<>();
        List<RestorePlan.Row> inState = new ArrayList<>();
        List<RestorePlan.NotRestored> notRestored = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            RowRestore row = rows.get(i);
            Found f = found.get(i);
            if (f.inState()) {
                inState.add(new RestorePlan.Row(row.table(), row.pk()));
                continue;
            }
            SourceSchema.Shape shape = schema.shape(row.table());
            Set<String> only = null;
            if (mistakeOnly && row.changedLater() && row.from() != null && row.to() != null && row.undone() != null) {
                only = new LinkedHashSet<>();
                List<String> changedSince = new ArrayList<>();
                for (String column : mistakeColumns(row)) {
                    if (Objects.equals(row.from().get(column), row.to().get(column))) {
                        continue; // put back already
                    }
                    (Objects.equals(row.from().get(column), row.undone().get(column)) ? only : changedSince).add(column);
                }
                if (!changedSince.isEmpty()) {
                    notRestored.add(new RestorePlan.NotRestored(row.table(), row.pk(), changedSince, "changed-later"));
                }
            } else if (row.changedLater()) { // a row changed later differs live too: one conflict says it
                conflicts.add(new RestorePlan.Conflict(row.table(), row.pk(), "changed-later", row.undone(), f.actual(), row.later()));
            }
            if (f.liveDiffers() && !(row.changedLater() && only == null)) {
                conflicts.add(new RestorePlan.Conflict(row.table(), row.pk(), "live-differs", row.from(), f.actual(), List.of()));
            }
            List<String> dropped = SqlWriter.dropped(row, shape);
            if (!dropped.isEmpty()) {
                notRestored.add(new RestorePlan.NotRestored(row.table(), row.pk(), dropped, "dropped"));
            }
            RestorePlan.Statement s = SqlWriter.write(row, shape, only);
            if (s != null) {
                planned.add(new StatementOrder.Planned(s, row.from(), row.to()));
            } else if (only != null && notRestored.stream().noneMatch(n -> n.table().equals(row.table()) && n.pk().equals(row.pk()))) {
                inState.add(new RestorePlan.Row(row.table(), row.pk())); // the mistake's columns are back already
            }
        }
        StatementOrder.Ordered ordered = fromCatalog ? StatementOrder.order(planned, schema.foreignKeys())
                : new StatementOrder.Ordered(planned, List.of());
        List<RestorePlan.Statement> statements = ordered.statements().stream().map(StatementOrder.Planned::statement).toList();
        return new RestorePlan(summary(statements), statements, conflicts, inState, notRestored, ordered.deferred(),
                fromCatalog ? "foreign-keys" : "history", fromCatalog, null, false, null);
    }

    /** The columns the undone change (the mistake, with every change of its transaction or window) changed. */
    private static List<String> mistakeColumns(RowRestore row) {
        List<String> out = new ArrayList<>();
        row.to().fieldNames().forEachRemaining(column -> {
            if (!Objects.equals(row.to().get(column), row.undone().get(column))) {
                out.add(column);
            }
        });
        return out;
    }

    private static List<RestorePlan.TableSummary> summary(List<RestorePlan.Statement> statements) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (RestorePlan.Statement s : statements) {
            int[] c = counts.computeIfAbsent(s.table(), t -> new int[3]);
            c[switch (s.action()) {
                case "insert" -> 0;
                case "update" -> 1;
                default -> 2;
            }]++;
        }
        List<RestorePlan.TableSummary> out = new ArrayList<>();
        counts.forEach((table, c) -> out.add(new RestorePlan.TableSummary(table, c[0], c[1], c[2])));
        return out;
    }
}
