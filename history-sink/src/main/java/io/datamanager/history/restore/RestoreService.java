package io.datamanager.history.restore;

import io.datamanager.history.store.HistoryQueries;
import io.datamanager.model.ValidationException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Plans and applies restores: for a transaction or window, first makes sure history holds every change
 * ({@link HistoryCompleteness}); then reads the rows {@link RestoreTargets} finds, the source's schema and live rows,
 * plans ({@link RestorePlanner}) and, when asked and allowed, applies the plan in one transaction against the source
 * database ({@link RestoreRun}), where capture records it as history like any change.
 */
@ApplicationScoped
public class RestoreService {
    private static final Logger LOG = Logger.getLogger(RestoreService.class);
    private final RestoreTargets targets;
    private final HistoryQueries history;
    private final SourceDatabase source;
    private final HistoryCompleteness completeness;

    RestoreService(RestoreTargets targets, HistoryQueries history, SourceDatabase source, HistoryCompleteness completeness) {
        this.targets = targets;
        this.history = history;
        this.source = source;
        this.completeness = completeness;
    }

    /** Thrown when conflicts stop a restore that was not forced. */
    public static final class ConflictException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final transient RestorePlan plan;

        ConflictException(RestorePlan plan) {
            super(plan.conflicts().size() + " row(s) changed after the change this restore undoes, or are not live as "
                    + "history has them; nothing was written: look at 'conflicts', and send \"force\": true to restore anyway"
                    + " (or \"columns\": \"mistake-only\" to restore only what no one changed since)");
            this.plan = plan;
        }
    }

    public RestorePlan restore(RestoreRequest request) throws SQLException {
        if (!request.dryRun() && !source.configured()) {
            throw new ValidationException("dryRun", "cannot be false: no restore connection is configured (DM_RESTORE_JDBC_URL)");
        }
        if (!source.configured()) { // history alone: its newest version stands for the live row
            List<RowRestore> rows = targets.rows(request);
            List<RestorePlanner.Found> found = rows.stream()
                    .map(r -> new RestorePlanner.Found(Objects.equals(r.from(), r.to()), false, r.from())).toList();
            return RestorePlanner.plan(rows, found, SourceSchema.ofTypes(storedTypes(rows)), false, request.mistakeOnly());
        }
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try {
                return restore(c, request);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private RestorePlan restore(Connection c, RestoreRequest request) throws SQLException {
        long start = System.nanoTime();
        String completeTo = request.isWindow() || request.txId() != null ? completeness.await(c) : null;
        long complete = System.nanoTime();
        List<RowRestore> rows = targets.rows(request);
        long read = System.nanoTime();
        Set<String> tables = new LinkedHashSet<>();
        rows.forEach(r -> tables.add(r.table()));
        SourceSchema schema = schema(c, tables);
        List<RestorePlanner.Found> found = new ArrayList<>(rows.size());
        for (RowRestore row : rows) {
            SourceDatabase.LiveRow live = live(c, row, schema, !request.dryRun());
            found.add(new RestorePlanner.Found(live.matchesTo(), !live.matchesFrom(), live.row()));
        }
        long checked = System.nanoTime();
        RestorePlan plan = RestorePlanner.plan(rows, found, schema, true, request.mistakeOnly()).withHistoryCompleteTo(completeTo);
        LOG.debugf("restore of %d row(s) planned: history complete after %d ms, read in %d ms, live rows checked in %d ms, "
                + "planned in %d ms", rows.size(), ms(complete - start), ms(read - complete), ms(checked - read), ms(System.nanoTime() - checked));
        if (request.dryRun()) {
            c.rollback();
            return plan;
        }
        if (!plan.conflicts().isEmpty() && !request.force()) {
            c.rollback();
            throw new ConflictException(plan);
        }
        if (plan.statements().isEmpty()) {
            c.rollback();
            return plan.appliedIn(null);
        }
        long run = System.nanoTime();
        RestoreRun.run(c, plan);
        long txId = RestoreRun.transactionId(c);
        RestoreRun.commit(c, plan);
        String lsn = RestoreRun.walPosition(c);
        c.rollback();
        LOG.infof("restore applied in source transaction %d: %d statement(s) in %d ms, %d conflict(s) forced, %d row(s) already in state",
                txId, plan.statements().size(), ms(System.nanoTime() - run), plan.conflicts().size(), plan.alreadyInState().size());
        return plan.appliedIn(new RestorePlan.Applied(txId, lsn));
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private Connection connect() {
        try {
            return source.connect("restore");
        } catch (SQLException e) {
            throw RestoreRun.refused(e, null, "connect");
        }
    }

    private static SourceSchema schema(Connection c, Set<String> tables) {
        try {
            return SourceSchema.read(c, tables);
        } catch (SQLException e) {
            throw RestoreRun.refused(e, null, "reading the catalog of " + String.join(", ", tables));
        }
    }

    private static SourceDatabase.LiveRow live(Connection c, RowRestore row, SourceSchema schema, boolean lock) {
        try {
            return SourceDatabase.live(c, row, schema.shape(row.table()).types(), lock);
        } catch (SQLException e) {
            throw RestoreRun.refused(e, null, "reading the live row " + row.table() + " " + row.pk());
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
