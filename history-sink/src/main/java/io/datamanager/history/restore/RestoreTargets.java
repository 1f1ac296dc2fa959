package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.history.store.ContextStore;
import io.datamanager.history.store.HistoryQueries;
import io.datamanager.history.store.HistoryQuery;
import io.datamanager.history.store.HistoryQueries.Point;
import io.datamanager.history.store.RestoreQueries;
import io.datamanager.history.store.Version;
import io.datamanager.model.ValidationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotFoundException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a restore request against history: the state each row returns to, the change that restore undoes
 * (for a row, the first after the point restored; for a transaction or window, the last of its changes to the row),
 * and the versions after that change, which make a conflict.
 */
@ApplicationScoped
public class RestoreTargets {
    /** How many versions after the undone change a conflict lists. */
    static final int LATER_SHOWN = 100;
    /** Most changes one transaction or window restore undoes (one source transaction, planned in memory). */
    static final int MAX_CHANGES = 200_000;
    private final HistoryQueries history;
    private final RestoreQueries queries;
    private final ContextStore contexts;
    private final Clock clock;

    RestoreTargets(HistoryQueries history, RestoreQueries queries, ContextStore contexts, Clock clock) {
        this.history = history;
        this.queries = queries;
        this.contexts = contexts;
        this.clock = clock;
    }

    List<RowRestore> rows(RestoreRequest r) throws SQLException {
        if (r.isWindow()) {
            return window(r);
        }
        if (r.txId() != null) {
            List<RestoreQueries.Keyed> versions = queries.window(null, null, null, null, Map.of(), List.of(), List.of(r.txId()),
                    MAX_CHANGES + 1);
            if (versions.isEmpty()) {
                throw new NotFoundException("no versions of transaction " + r.txId() + " in history");
            }
            if (versions.size() > MAX_CHANGES) {
                throw new ValidationException("txId", "the transaction wrote more than " + MAX_CHANGES + " changes: restore it in parts "
                        + "with 'txIds' and 'tables' or 'match'");
            }
            return changes(versions);
        }
        if (r.versionId() != null) {
            Version v = history.version(r.versionId())
                    .orElseThrow(() -> new NotFoundException("no version " + r.versionId() + " in history"));
            return List.of(row(v.table(), v.pk(), rowAfter(v), Point.after(v)));
        }
        if (history.table(r.table()).isEmpty()) {
            throw new ValidationException("table", "'" + r.table() + "' has no history (see GET /api/tables)");
        }
        Version latest = history.latest(r.table(), text(r.pk()))
                .orElseThrow(() -> new NotFoundException("no history for row " + r.pk() + " of " + r.table()));
        if (r.at() != null) {
            ObjectNode target = history.asOf(r.table(), text(r.pk()), r.at()).map(RestoreTargets::rowAfter).orElse(null);
            return List.of(row(r.table(), latest.pk(), target, Point.at(r.at())));
        }
        if (!"delete".equals(latest.op())) {
            throw new ValidationException("at", "the row exists: say which state to restore with 'at' or 'versionId'");
        }
        // back to before the newest version, the delete: nothing can have changed after it
        return List.of(new RowRestore(r.table(), latest.pk(), null, before(latest), null, List.of()));
    }

    /** A row back to {@code target}, its state at {@code point}; the first change after the point is the one undone. */
    private RowRestore row(String table, ObjectNode pk, ObjectNode target, Point point) throws SQLException {
        Map<String, String> key = text(pk);
        Version latest = history.latest(table, key).orElseThrow();
        List<Version> first = history.after(table, key, point, 1);
        if (first.isEmpty()) {
            return new RowRestore(table, latest.pk(), rowAfter(latest), target, target, List.of());
        }
        Version undone = first.get(0);
        if (undone.txId() != null) { // the mistake is a transaction: every version of the row it wrote
            undone = history.lastOfTransaction(table, key, point, undone.txId()).orElse(undone);
        }
        List<Version> later = history.after(table, key, Point.after(undone), LATER_SHOWN);
        return new RowRestore(table, latest.pk(), rowAfter(latest), target, rowAfter(undone), later);
    }

    /**
     * Every row the selected changes touched, back to its state before the first of them; the last of them is the
     * change undone, and what history holds after it is a later change. Undone in reverse order of history (what a
     * restore without the source's catalog runs; with it, {@link StatementOrder} orders by foreign keys).
     */
    private List<RowRestore> changes(List<RestoreQueries.Keyed> selected) throws SQLException {
        Map<String, RestoreQueries.Keyed[]> firstAndLast = new LinkedHashMap<>();
        Map<String, Instant> tableFrom = new LinkedHashMap<>();
        Map<String, List<String>> tableKeys = new LinkedHashMap<>();
        for (RestoreQueries.Keyed k : selected) {
            Version v = k.version();
            if ("truncate".equals(v.op())) {
                throw new ValidationException("since", "version " + v.versionId() + " is a TRUNCATE of " + v.table()
                        + ", which cannot be undone row by row: leave that table or that time out of the restore");
            }
            RestoreQueries.Keyed[] fl = firstAndLast.computeIfAbsent(v.table() + k.rowKey(), x -> new RestoreQueries.Keyed[] {k, k});
            fl[1] = k;
            if (fl[0] == k) {
                tableFrom.merge(v.table(), v.commitTs(), (a, b) -> a.isBefore(b) ? a : b);
                tableKeys.computeIfAbsent(v.table(), t -> new ArrayList<>()).add(k.rowKey());
            }
        }
        Map<String, List<Version>> timelines = new HashMap<>();
        for (Map.Entry<String, List<String>> t : tableKeys.entrySet()) {
            for (RestoreQueries.Keyed k : queries.rowsFrom(t.getKey(), t.getValue(), tableFrom.get(t.getKey()))) {
                timelines.computeIfAbsent(t.getKey() + k.rowKey(), x -> new ArrayList<>()).add(k.version());
            }
        }
        List<RowRestore> rows = new ArrayList<>();
        for (Map.Entry<String, RestoreQueries.Keyed[]> e : firstAndLast.entrySet()) {
            Version first = e.getValue()[0].version();
            Version last = e.getValue()[1].version();
            ObjectNode before = switch (first.op()) {
                case "insert", "snapshot" -> null;
                default -> {
                    if (first.before() == null || first.missing().stream().anyMatch(m -> m.startsWith("before"))) {
                        throw new ValidationException("txId", "version " + first.versionId() + " of " + first.table()
                                + " lacks its full before image, so the state before it is not known");
                    }
                    yield before(first);
                }
            };
            List<Version> timeline = timelines.getOrDefault(e.getKey(), List.of(last));
            int undone = 0;
            while (undone < timeline.size() && timeline.get(undone).versionId() != last.versionId()) {
                undone++;
            }
            List<Version> later = undone >= timeline.size() ? List.of()
                    : timeline.subList(undone + 1, Math.min(timeline.size(), undone + 1 + LATER_SHOWN));
            Version latest = timeline.isEmpty() ? last : timeline.getLast();
            rows.add(new RowRestore(last.table(), last.pk(), rowAfter(latest), before, rowAfter(last), later));
        }
        return rows.reversed();
    }

    private List<RowRestore> window(RestoreRequest r) throws SQLException {
        Instant now = clock.instant();
        if (r.until() != null && r.until().isAfter(now)) {
            throw new ValidationException("until", "is in the future (" + r.until() + "): a window can be restored once it has ended");
        }
        if (r.windowTables() != null) {
            for (String table : r.windowTables()) {
                if (history.table(table).isEmpty()) {
                    throw new ValidationException(r.table() != null ? "table" : "tables", "'" + table + "' has no history (see GET /api/tables)");
                }
            }
        }
        List<HistoryQuery.ContextMatch> context = new ArrayList<>();
        r.contextText().forEach((key, value) -> context.add(contexts.match(key, value)));
        List<RestoreQueries.Keyed> selected = queries.window(r.windowTables(), r.since(), r.until(), r.changed(), r.matchText(),
                context, r.txIds(), MAX_CHANGES + 1);
        if (selected.size() > MAX_CHANGES) {
            throw new ValidationException("since", "the window holds more than " + MAX_CHANGES
                    + " changes: narrow it (a shorter time, 'tables', 'changed', 'match', 'context' or 'txIds') and restore it in parts");
        }
        if (selected.isEmpty()) {
            throw new NotFoundException("no change in history matches the window");
        }
        return changes(selected);
    }

    /** The row after a version, its JSON nulls told apart from SQL NULL ({@link JsonNullValue}). */
    private static ObjectNode rowAfter(Version v) {
        return JsonNullValue.marked(v.rowAfter(), v.rowAfterJsonNulls());
    }

    /** The row before a version, its JSON nulls told apart from SQL NULL. */
    private static ObjectNode before(Version v) {
        return JsonNullValue.marked(v.before(), v.beforeJsonNulls());
    }

    private static Map<String, String> text(JsonNode pk) {
        Map<String, String> out = new LinkedHashMap<>();
        pk.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        return out;
    }
}
