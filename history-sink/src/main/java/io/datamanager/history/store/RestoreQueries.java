package io.datamanager.history.store;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The reads of a transaction or window restore, each one query whatever the number of rows: the changes in the
 * window, then every version of the rows they touched from the window on (to find later changes).
 */
@ApplicationScoped
public class RestoreQueries {
    private final HistoryQueries history;

    RestoreQueries(HistoryQueries history) {
        this.history = history;
    }

    /** A version with its row's key as stored ({@code row_key}), which groups a row's versions. */
    public record Keyed(String rowKey, Version version) {}

    /**
     * The changes in a window, oldest first: to the tables (null: all), committed in [since, until) (either may be
     * null), changing any of {@code changed}, matching every {@code match} value (as {@code /api/history} does), of a
     * transaction whose context matches every {@code context} filter, by one of {@code txIds}; snapshot reads are not
     * changes and are left out. At most {@code limit}.
     */
    public List<Keyed> window(List<String> tables, Instant since, Instant until, List<String> changed, Map<String, String> match,
            List<HistoryQuery.ContextMatch> context, List<Long> txIds, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT row_key, " + Version.COLUMNS + " FROM dm_version WHERE op <> 'snapshot'");
        List<Object> params = new ArrayList<>();
        if (tables != null) {
            sql.append(" AND table_name = ANY(?)");
            params.add(tables.toArray(String[]::new));
        }
        if (since != null) {
            sql.append(" AND commit_ts >= ?");
            params.add(Timestamp.from(since));
        }
        if (until != null) {
            sql.append(" AND commit_ts < ?");
            params.add(Timestamp.from(until));
        }
        if (changed != null) {
            sql.append(" AND changed && ?");
            params.add(changed.toArray(String[]::new));
        }
        for (Map.Entry<String, String> m : match.entrySet()) {
            sql.append(" AND (after -> ? IN (to_jsonb(CAST(? AS text)), CAST(? AS jsonb))"
                    + " OR before -> ? IN (to_jsonb(CAST(? AS text)), CAST(? AS jsonb)))");
            String json = HistoryQueries.jsonOrNull(m.getValue());
            params.addAll(Arrays.asList(m.getKey(), m.getValue(), json, m.getKey(), m.getValue(), json));
        }
        ContextStore.appendFilter(sql, params, context);
        if (txIds != null) {
            sql.append(" AND tx_id = ANY(CAST(? AS bigint[]))");
            params.add(txIds.stream().map(String::valueOf).toArray(String[]::new));
        }
        sql.append(" ORDER BY commit_ts, lsn, seq LIMIT ?");
        params.add(limit);
        List<Keyed> out = new ArrayList<>();
        history.query(sql.toString(), params, rs -> out.add(new Keyed(rs.getString("row_key"), Version.read(rs))));
        return out;
    }

    /** Every version of the rows committed at or after {@code from}, by row, oldest first. */
    public List<Keyed> rowsFrom(String table, Collection<String> rowKeys, Instant from) throws SQLException {
        List<Keyed> out = new ArrayList<>();
        // a join, not row_key = ANY(?): ANY compares each version with every key, thousands of keys made it quadratic
        history.query("SELECT v.row_key, " + Version.COLUMNS + " FROM dm_version v JOIN unnest(CAST(? AS text[])) AS k(row_key)"
                        + " ON v.row_key = k.row_key WHERE v.table_name = ? AND v.commit_ts >= ? ORDER BY v.row_key, commit_ts, lsn, seq",
                List.of(rowKeys.stream().distinct().toArray(String[]::new), table, Timestamp.from(from)),
                rs -> out.add(new Keyed(rs.getString("row_key"), Version.read(rs))));
        return out;
    }
}
