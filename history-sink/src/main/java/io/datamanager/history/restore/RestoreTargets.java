package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.history.store.HistoryQueries;
import io.datamanager.history.store.HistoryQueries.Point;
import io.datamanager.history.store.Version;
import io.datamanager.model.ValidationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotFoundException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a restore request against history: the state each row returns to, the change that restore undoes
 * (the first after the point restored), and the versions after that change, which make a conflict.
 */
@ApplicationScoped
public class RestoreTargets {
    /** How many versions after the undone change a conflict lists. */
    static final int LATER_SHOWN = 100;
    private final HistoryQueries history;

    RestoreTargets(HistoryQueries history) {
        this.history = history;
    }

    List<RowRestore> rows(RestoreRequest r) throws SQLException {
        if (r.txId() != null) {
            return transaction(r.txId());
        }
        if (r.versionId() != null) {
            Version v = history.version(r.versionId())
                    .orElseThrow(() -> new NotFoundException("no version " + r.versionId() + " in history"));
            return List.of(row(v.table(), v.pk(), v.rowAfter(), Point.after(v)));
        }
        if (history.table(r.table()).isEmpty()) {
            throw new ValidationException("table", "'" + r.table() + "' has no history (see GET /api/tables)");
        }
        Version latest = history.latest(r.table(), text(r.pk()))
                .orElseThrow(() -> new NotFoundException("no history for row " + r.pk() + " of " + r.table()));
        if (r.at() != null) {
            ObjectNode target = history.asOf(r.table(), text(r.pk()), r.at()).map(Version::rowAfter).orElse(null);
            return List.of(row(r.table(), latest.pk(), target, Point.at(r.at())));
        }
        if (!"delete".equals(latest.op())) {
            throw new ValidationException("at", "the row exists: say which state to restore with 'at' or 'versionId'");
        }
        // back to before the newest version, the delete: nothing can have changed after it
        return List.of(new RowRestore(r.table(), latest.pk(), null, latest.before(), null, List.of()));
    }

    /** A row back to {@code target}, its state at {@code point}; the first change after the point is the one undone. */
    private RowRestore row(String table, ObjectNode pk, ObjectNode target, Point point) throws SQLException {
        Map<String, String> key = text(pk);
        Version latest = history.latest(table, key).orElseThrow();
        List<Version> first = history.after(table, key, point, 1);
        if (first.isEmpty()) {
            return new RowRestore(table, latest.pk(), latest.rowAfter(), target, target, List.of());
        }
        Version undone = first.get(0);
        if (undone.txId() != null) { // the mistake is a transaction: every version of the row it wrote
            undone = history.lastOfTransaction(table, key, point, undone.txId()).orElse(undone);
        }
        List<Version> later = history.after(table, key, Point.after(undone), LATER_SHOWN);
        return new RowRestore(table, latest.pk(), latest.rowAfter(), target, undone.rowAfter(), later);
    }

    /** Every row the transaction touched, back to its state before it, undone in reverse order (foreign-key safe). */
    private List<RowRestore> transaction(long txId) throws SQLException {
        List<Version> versions = history.transaction(txId);
        if (versions.isEmpty()) {
            throw new NotFoundException("no versions of transaction " + txId + " in history");
        }
        Map<String, Version[]> firstAndLast = new LinkedHashMap<>();
        for (Version v : versions) {
            firstAndLast.computeIfAbsent(v.table() + v.pk(), k -> new Version[] {v, v})[1] = v;
        }
        List<RowRestore> rows = new ArrayList<>();
        for (Version[] fl : firstAndLast.values()) {
            Version first = fl[0];
            Version last = fl[1];
            ObjectNode before = switch (first.op()) {
                case "insert", "snapshot" -> null;
                default -> {
                    if (first.before() == null || first.missing().stream().anyMatch(m -> m.startsWith("before"))) {
                        throw new ValidationException("txId", "version " + first.versionId() + " of " + first.table()
                                + " lacks its full before image, so the state before the transaction is not known");
                    }
                    yield first.before();
                }
            };
            Map<String, String> key = text(last.pk());
            Version latest = history.latest(last.table(), key).orElseThrow();
            List<Version> later = history.after(last.table(), key, Point.after(last), LATER_SHOWN);
            rows.add(new RowRestore(last.table(), last.pk(), latest.rowAfter(), before, last.rowAfter(), later));
        }
        return rows.reversed();
    }

    private static Map<String, String> text(JsonNode pk) {
        Map<String, String> out = new LinkedHashMap<>();
        pk.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        return out;
    }
}
