package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;

/**
 * Orders a restore's statements by the source's foreign keys, not by the log (a cascade logs the parent's delete
 * first, so the log undone backwards inserts children before their parent). Row by row: a row whose key another
 * row's new values reference is inserted (or updated to that key) first; a row that references a key being deleted
 * is deleted (or moved off it) first. That covers cascades, RESTRICT, composite and self-referencing keys alike.
 * Where nothing orders two statements, deletes go first (they free unique values), then updates, then inserts, each
 * by depth in the key graph (parents, then children, then grandchildren), then in history's order. Rows that reference each other in a cycle run with their deferrable keys deferred to commit;
 * a cycle through a key that is not deferrable is refused, naming it.
 */
final class StatementOrder {
    /** The order, and the constraints to defer ({@code SET CONSTRAINTS ... DEFERRED}) before running it. */
    record Ordered(List<Planned> statements, List<String> deferred) {}

    /** A statement with the images it moves its row between. */
    record Planned(RestorePlan.Statement statement, ObjectNode from, ObjectNode to) {}

    private StatementOrder() {}

    static Ordered order(List<Planned> planned, List<SourceSchema.ForeignKey> keys) {
        int n = planned.size();
        List<Set<Integer>> after = new ArrayList<>(n); // after.get(i): statements that must run after i
        List<Map<SourceSchema.ForeignKey, Set<Integer>>> because = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            after.add(new LinkedHashSet<>());
            because.add(new HashMap<>());
        }
        int[] before = new int[n];
        for (SourceSchema.ForeignKey fk : keys) {
            Map<String, List<Integer>> provides = new HashMap<>(); // parent key value -> statements making it exist
            Map<String, List<Integer>> removes = new HashMap<>(); // parent key value -> statements making it go
            for (int i = 0; i < n; i++) {
                Planned p = planned.get(i);
                if (!p.statement().table().equals(fk.parent())) {
                    continue;
                }
                String was = key(p.from(), fk.parentColumns());
                String will = key(p.to(), fk.parentColumns());
                if (will != null && !will.equals(was)) {
                    provides.computeIfAbsent(will, k -> new ArrayList<>()).add(i);
                }
                if (was != null && !was.equals(will)) {
                    removes.computeIfAbsent(was, k -> new ArrayList<>()).add(i);
                }
            }
            for (int i = 0; i < n; i++) {
                Planned p = planned.get(i);
                if (!p.statement().table().equals(fk.child())) {
                    continue;
                }
                String refersTo = key(p.to(), fk.childColumns());
                String referredTo = key(p.from(), fk.childColumns());
                if (refersTo != null && !refersTo.equals(referredTo)) { // needs the parent row it now references
                    for (int parent : provides.getOrDefault(refersTo, List.of())) {
                        edge(parent, i, fk, after, because, before);
                    }
                }
                if (referredTo != null && !referredTo.equals(refersTo)) { // lets go of the parent row it referenced
                    for (int parent : removes.getOrDefault(referredTo, List.of())) {
                        edge(i, parent, fk, after, because, before);
                    }
                }
            }
        }
        int[] depth = depths(after, before);
        Comparator<Integer> priority = Comparator.<Integer>comparingInt(i -> rank(planned, i)).thenComparingInt(i -> depth[i])
                .thenComparingInt(i -> i);
        PriorityQueue<Integer> ready = new PriorityQueue<>(priority);
        for (int i = 0; i < n; i++) {
            if (before[i] == 0) {
                ready.add(i);
            }
        }
        List<Planned> out = new ArrayList<>(n);
        boolean[] done = new boolean[n];
        while (!ready.isEmpty()) {
            int i = ready.poll();
            done[i] = true;
            out.add(planned.get(i));
            for (int next : after.get(i)) {
                if (--before[next] == 0) {
                    ready.add(next);
                }
            }
        }
        if (out.size() == n) {
            return new Ordered(out, List.of());
        }
        return cycle(planned, done, after, because, out);
    }

    /** The statements left are in cycles: deferrable keys let them run in any order, else the restore is refused. */
    private static Ordered cycle(List<Planned> planned, boolean[] done, List<Set<Integer>> after,
            List<Map<SourceSchema.ForeignKey, Set<Integer>>> because, List<Planned> out) {
        Set<String> deferred = new TreeSet<>();
        Set<String> blocking = new TreeSet<>();
        Set<String> rows = new TreeSet<>();
        List<Integer> left = new ArrayList<>();
        for (int i = 0; i < planned.size(); i++) {
            if (done[i]) {
                continue;
            }
            left.add(i);
            rows.add(planned.get(i).statement().table() + " " + planned.get(i).statement().pk());
            for (Map.Entry<SourceSchema.ForeignKey, Set<Integer>> e : because.get(i).entrySet()) {
                if (e.getValue().stream().anyMatch(j -> !done[j])) {
                    (e.getKey().deferrable() ? deferred : blocking).add(e.getKey().name());
                }
            }
        }
        if (!blocking.isEmpty()) {
            throw new RestoreRefused(422, "Restore cannot be ordered", "the rows " + String.join(", ", rows)
                    + " reference each other in a cycle through foreign key(s) " + String.join(", ", blocking)
                    + ", which are not DEFERRABLE, so no order of the statements satisfies them; make the keys DEFERRABLE, "
                    + "or restore the rows in steps", java.util.Map.of("cycle", List.copyOf(blocking), "rows", List.copyOf(rows)), null);
        }
        left.sort(Comparator.<Integer>comparingInt(i -> rank(planned, i)).thenComparingInt(i -> i));
        left.forEach(i -> out.add(planned.get(i)));
        return new Ordered(out, List.copyOf(deferred));
    }

    /**
     * How many statements at most must run before each one: statements of one depth run together (all customers,
     * then all their orders, then all their lines), which reads better and lets runs of one SQL go as one batch.
     */
    private static int[] depths(List<Set<Integer>> after, int[] before) {
        int[] depth = new int[before.length];
        int[] waiting = before.clone();
        java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>();
        for (int i = 0; i < waiting.length; i++) {
            if (waiting[i] == 0) {
                queue.add(i);
            }
        }
        while (!queue.isEmpty()) {
            int i = queue.poll();
            for (int next : after.get(i)) {
                depth[next] = Math.max(depth[next], depth[i] + 1);
                if (--waiting[next] == 0) {
                    queue.add(next);
                }
            }
        }
        return depth;
    }

    private static void edge(int first, int then, SourceSchema.ForeignKey fk, List<Set<Integer>> after,
            List<Map<SourceSchema.ForeignKey, Set<Integer>>> because, int[] before) {
        if (first != then && after.get(first).add(then)) {
            before[then]++;
        }
        if (first != then) {
            because.get(then).computeIfAbsent(fk, k -> new LinkedHashSet<>()).add(first);
        }
    }

    private static int rank(List<Planned> planned, int i) {
        return switch (planned.get(i).statement().action()) {
            case "delete" -> 0;
            case "update" -> 1;
            default -> 2;
        };
    }

    /** The values of the columns as one comparable text; null when the row is absent or any of them is null. */
    private static String key(ObjectNode row, List<String> columns) {
        if (row == null) {
            return null;
        }
        StringBuilder key = new StringBuilder();
        for (String column : columns) {
            JsonNode value = row.get(column);
            if (value == null || value.isNull()) {
                return null;
            }
            key.append(value.isTextual() ? value.asText() : value.toString()).append('\u0000');
        }
        return key.toString();
    }
}
