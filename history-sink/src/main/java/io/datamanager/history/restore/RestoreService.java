package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.history.store.HistoryQueries;
import io.datamanager.history.store.Version;
import io.datamanager.model.Json;
import io.datamanager.model.ValidationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotFoundException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Plans and applies restores: finds the state to return to in history, writes the compensating SQL, finds
 * conflicts (rows no longer in the state the restore starts from) and, when asked and allowed, applies it
 * in one transaction against the source database, where capture records it as history like any change.
 */
@ApplicationScoped
public class RestoreService {
    private static final Logger LOG = Logger.getLogger(RestoreService.class);
    private final HistoryQueries history;
    private final SourceDatabase source;

    RestoreService(HistoryQueries history, SourceDatabase source) {
        this.history = history;
        this.source = source;
    }

    /** Thrown when conflicts stop a restore that was not forced. */
    public static final class ConflictException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final transient RestorePlan plan;

        ConflictException(RestorePlan plan) {
            super(plan.conflicts().size() + " row(s) changed since the version this restore starts from; "
                    + "look at 'conflicts', and send \"force\": true to restore anyway");
            this.plan = plan;
        }
    }

    public RestorePlan restore(RestoreRequest request) throws SQLException {
        List<RowRestore> rows = rows(request);
        if (!request.dryRun() && !source.configured()) {
            throw new ValidationException("dryRun", "cannot be false: no restore connection is configured (DM_RESTORE_JDBC_URL)");
        }
        if (!source.configured()) {
            return plan(rows, storedTypes(rows), List.of()).withConflicts(historyConflicts(rows), false);
        }
        try (Connection c = source.connect("restore")) {
            c.setAutoCommit(false);
            try {
                Map<String, Map<String, String>> types = new HashMap<>();
                for (RowRestore row : rows) {
                    types.computeIfAbsent(row.table(), t -> catalogTypes(c, t));
                }
                List<RestorePlan.Conflict> conflicts = new ArrayList<>(historyConflicts(rows));
                for (RowRestore row : rows) {
                    Optional<Optional<ObjectNode>> differs = SourceDatabase.difference(c, row, types.get(row.table()), !request.dryRun());
                    if (!row.changedLater()) { // a row changed later differs live too: one conflict says it
                        differs.ifPresent(live -> conflicts.add(new RestorePlan.Conflict(row.table(), row.pk(), "live-differs",
                                row.from(), live.orElse(null))));
                    }
                }
                RestorePlan plan = plan(rows, types, conflicts).withConflicts(conflicts, true);
                if (request.dryRun()) {
                    c.rollback();
                    return plan;
                }
                if (!conflicts.isEmpty() && !request.force()) {
                    c.rollback();
                    throw new ConflictException(plan);
                }
                for (RestorePlan.Statement statement : plan.statements()) {
                    SourceDatabase.execute(c, statement);
                }
                c.commit();
                LOG.infof("restore applied: %d statement(s), %d conflict(s) forced", plan.statements().size(), conflicts.size());
                return plan.withApplied(true);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private Map<String, String> catalogTypes(Connection c, String table) {
        try {
            return SourceDatabase.columnTypes(c, table);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the columns of " + table + " in the source database", e);
        }
    }

    private static RestorePlan plan(List<RowRestore> rows, Map<String, Map<String, String>> types, List<RestorePlan.Conflict> conflicts) {
        List<RestorePlan.Statement> statements = new ArrayList<>();
        for (RowRestore row : rows) {
            RestorePlan.Statement s = SqlWriter.write(row, types.getOrDefault(row.table(), Map.of()));
            if (s != null) {
                statements.add(s);
            }
        }
        return new RestorePlan(statements, conflicts, false, false);
    }

    private static List<RestorePlan.Conflict> historyConflicts(List<RowRestore> rows) {
        return rows.stream().filter(RowRestore::changedLater)
                .map(r -> new RestorePlan.Conflict(r.table(), r.pk(), "changed-later", r.from(), null)).toList();
    }

    /** Types from the dm.types header the pipeline recorded ({@code string|numeric} -> {@code numeric}). */
    private Map<String, Map<String, String>> storedTypes(List<RowRestore> rows) throws SQLException {
        Map<String, Map<String, String>> out = new HashMap<>();
        for (RowRestore row : rows) {
            if (out.containsKey(row.table())) {
                continue;
            }
            Map<String, String> types = new HashMap<>();
            Optional<HistoryQueries.Table> table = history.table(row.table());
            if (table.isPresent()) {
                table.get().columnTypes().fields().forEachRemaining(e -> {
                    String d = e.getValue().asText();
                    int bar = d.indexOf('|');
                    if (bar >= 0) {
                        String pg = d.substring(bar + 1);
                        types.put(e.getKey(), pg.startsWith("_") ? pg.substring(1) + "[]" : pg);
                    }
                });
            }
            out.put(row.table(), types);
        }
        return out;
    }

    private List<RowRestore> rows(RestoreRequest r) throws SQLException {
        if (r.txId() != null) {
            return transactionRows(r.txId());
        }
        if (r.versionId() != null) {
            Version v = history.version(r.versionId())
                    .orElseThrow(() -> new NotFoundException("no version " + r.versionId() + " in history"));
            Version latest = history.latest(v.table(), text(v.pk())).orElseThrow();
            return List.of(new RowRestore(v.table(), v.pk(), latest.rowAfter(), v.rowAfter(), false));
        }
        if (history.table(r.table()).isEmpty()) {
            throw new ValidationException("table", "'" + r.table() + "' has no history (see GET /api/tables)");
        }
        Version latest = history.latest(r.table(), text(r.pk()))
                .orElseThrow(() -> new NotFoundException("no history for row " + r.pk() + " of " + r.table()));
        ObjectNode target;
        if (r.at() != null) {
            target = history.asOf(r.table(), text(r.pk()), r.at()).map(Version::rowAfter).orElse(null);
        } else if ("delete".equals(latest.op())) {
            target = latest.before();
        } else {
            throw new ValidationException("at", "the row exists: say which state to restore with 'at' or 'versionId'");
        }
        return List.of(new RowRestore(r.table(), latest.pk(), latest.rowAfter(), target, false));
    }

    /** Every row the transaction touched, back to its state before it, undone in reverse order (foreign-key safe). */
    private List<RowRestore> transactionRows(long txId) throws SQLException {
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
            Version latest = history.latest(last.table(), text(last.pk())).orElseThrow();
            rows.add(new RowRestore(last.table(), last.pk(), last.rowAfter(), before, latest.versionId() != last.versionId()));
        }
        return rows.reversed();
    }

    private static Map<String, String> text(JsonNode pk) {
        Map<String, String> out = new LinkedHashMap<>();
        pk.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        return out;
    }


}
