package io.datamanager.history.restore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.history.store.HistoryQueries;
import io.datamanager.model.ValidationException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Plans and applies restores: writes the compensating SQL for the rows {@link RestoreTargets} found, finds
 * conflicts (a row changed after the change the restore undoes, or live not as history has it) and, when
 * asked and allowed, applies it in one transaction against the source database, where capture records it as
 * history like any change.
 */
@ApplicationScoped
public class RestoreService {
    private static final Logger LOG = Logger.getLogger(RestoreService.class);
    private final RestoreTargets targets;
    private final HistoryQueries history;
    private final SourceDatabase source;

    RestoreService(RestoreTargets targets, HistoryQueries history, SourceDatabase source) {
        this.targets = targets;
        this.history = history;
        this.source = source;
    }

    /** Thrown when conflicts stop a restore that was not forced. */
    public static final class ConflictException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final transient RestorePlan plan;

        ConflictException(RestorePlan plan) {
            super(plan.conflicts().size() + " row(s) changed after the change this restore undoes, or are not live as "
                    + "history has them; nothing was written: look at 'conflicts', and send \"force\": true to restore anyway");
            this.plan = plan;
        }
    }

    /** What the restore found of one row: already as restored, live not as history's newest, and the row seen. */
    private record Found(boolean inState, boolean liveDiffers, ObjectNode actual) {}

    public RestorePlan restore(RestoreRequest request) throws SQLException {
        List<RowRestore> rows = targets.rows(request);
        if (!request.dryRun() && !source.configured()) {
            throw new ValidationException("dryRun", "cannot be false: no restore connection is configured (DM_RESTORE_JDBC_URL)");
        }
        if (!source.configured()) { // history alone: its newest version stands for the live row
            List<Found> found = rows.stream().map(r -> new Found(Objects.equals(r.from(), r.to()), false, r.from())).toList();
            return plan(rows, storedTypes(rows), found, false);
        }
        try (Connection c = source.connect("restore")) {
            c.setAutoCommit(false);
            try {
                Map<String, Map<String, String>> types = new HashMap<>();
                List<Found> found = new ArrayList<>();
                for (RowRestore row : rows) {
                    Map<String, String> t = types.computeIfAbsent(row.table(), table -> catalogTypes(c, table));
                    SourceDatabase.LiveRow live = SourceDatabase.live(c, row, t, !request.dryRun());
                    found.add(new Found(live.matchesTo(), !live.matchesFrom(), live.row()));
                }
                RestorePlan plan = plan(rows, types, found, true);
                if (request.dryRun()) {
                    c.rollback();
                    return plan;
                }
                if (!plan.conflicts().isEmpty() && !request.force()) {
                    c.rollback();
                    throw new ConflictException(plan);
                }
                for (RestorePlan.Statement statement : plan.statements()) {
                    SourceDatabase.execute(c, statement);
                }
                c.commit();
                LOG.infof("restore applied: %d statement(s), %d conflict(s) forced, %d row(s) already in state",
                        plan.statements().size(), plan.conflicts().size(), plan.alreadyInState().size());
                return plan.withApplied(true);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * A row already in the state restored is left alone; else a change after the undone one is a
     * {@code changed-later} conflict, a live row not as history's newest a {@code live-differs} one.
     */
    private static RestorePlan plan(List<RowRestore> rows, Map<String, Map<String, String>> types, List<Found> found,
            boolean liveChecked) {
        List<RestorePlan.Statement> statements = new ArrayList<>();
        List<RestorePlan.Conflict> conflicts = new ArrayList<>();
        List<RestorePlan.Row> inState = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            RowRestore row = rows.get(i);
            Found f = found.get(i);
            if (f.inState()) {
                inState.add(new RestorePlan.Row(row.table(), row.pk()));
                continue;
            }
            if (row.changedLater()) { // a row changed later differs live too: one conflict says it
                conflicts.add(new RestorePlan.Conflict(row.table(), row.pk(), "changed-later", row.undone(), f.actual(), row.later()));
            } else if (f.liveDiffers()) {
                conflicts.add(new RestorePlan.Conflict(row.table(), row.pk(), "live-differs", row.from(), f.actual(), List.of()));
            }
            RestorePlan.Statement s = SqlWriter.write(row, types.getOrDefault(row.table(), Map.of()));
            if (s != null) {
                statements.add(s);
            }
        }
        return new RestorePlan(statements, conflicts, inState, liveChecked, false);
    }

    private Map<String, String> catalogTypes(Connection c, String table) {
        try {
            return SourceDatabase.columnTypes(c, table);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the columns of " + table + " in the source database", e);
        }
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
}
