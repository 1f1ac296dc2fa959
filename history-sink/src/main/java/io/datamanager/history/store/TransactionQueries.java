package io.datamanager.history.store;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Source transactions as history holds them, newest first, each summed up (tables, rows per operation), so "that
 * UPDATE without WHERE" is one look away. Two steps, both index scans: a page of distinct (commit time, transaction)
 * pairs walked newest first ({@code dm_version_tx_time}, or the table's {@code dm_version_table_time}), then the
 * versions of just those transactions counted through {@code dm_version_tx}. Snapshot reads are no transaction
 * anyone made: they are left out.
 */
@ApplicationScoped
public class TransactionQueries {
    private final HistoryQueries queries;
    private final ContextStore contexts;

    TransactionQueries(HistoryQueries queries, ContextStore contexts) {
        this.queries = queries;
        this.contexts = contexts;
    }

    /** Rows one transaction wrote to one table, per operation. */
    public record TableCounts(String table, long insert, long update, long delete, long truncate) {}

    /**
     * One transaction: when it committed, the WAL range its changes span, what it did per table, and its application
     * context (who and why; absent when it has none).
     */
    public record Summary(long txId, Instant commitTs, String firstLsn, String lastLsn, long rows, List<TableCounts> tables,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            com.fasterxml.jackson.databind.node.ObjectNode context) {}

    /** Where the previous page ended: newest first by commit time, then transaction id. */
    public record Cursor(Instant commitTs, long txId) {}

    /** @param context only transactions whose application context matches every one of these */
    public record Query(String table, Instant since, Instant until, List<HistoryQuery.ContextMatch> context, int limit, Cursor cursor) {}

    /** One page of transactions newest first (every table each one touched, also when filtered by one table). */
    public List<Summary> page(Query q) throws java.sql.SQLException {
        StringBuilder sql = new StringBuilder("SELECT DISTINCT commit_ts, tx_id FROM dm_version WHERE tx_id IS NOT NULL AND op <> 'snapshot'");
        List<Object> params = new ArrayList<>();
        if (q.table() != null) {
            sql.append(" AND table_name = ?");
            params.add(q.table());
        }
        if (q.since() != null) {
            sql.append(" AND commit_ts >= ?");
            params.add(Timestamp.from(q.since()));
        }
        if (q.until() != null) {
            sql.append(" AND commit_ts < ?");
            params.add(Timestamp.from(q.until()));
        }
        ContextStore.appendFilter(sql, params, q.context());
        if (q.cursor() != null) {
            sql.append(" AND (commit_ts, tx_id) < (?, ?)");
            params.add(Timestamp.from(q.cursor().commitTs()));
            params.add(q.cursor().txId());
        }
        sql.append(" ORDER BY commit_ts DESC, tx_id DESC LIMIT ?");
        params.add(q.limit());
        List<Long> ids = new ArrayList<>();
        queries.query(sql.toString(), params, rs -> {
            long id = rs.getLong("tx_id");
            if (!ids.contains(id)) {
                ids.add(id);
            }
        });
        Map<Long, Summary> summaries = summarise(ids);
        return ids.stream().map(summaries::get).filter(java.util.Objects::nonNull).toList();
    }

    /** One transaction's summary; empty when history holds no change of it. */
    public Optional<Summary> one(long txId) throws java.sql.SQLException {
        return Optional.ofNullable(summarise(List.of(txId)).get(txId));
    }

    /** Counts the versions of the given transactions per table and operation, through the transaction index. */
    private Map<Long, Summary> summarise(List<Long> ids) throws java.sql.SQLException {
        Map<Long, Summary> out = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        Map<Long, Map<String, long[]>> counts = new LinkedHashMap<>();
        Map<Long, Object[]> span = new LinkedHashMap<>();
        queries.query("SELECT tx_id, table_name, op, count(*) AS n, max(commit_ts) AS commit_ts, min(lsn)::text AS first_lsn, "
                + "max(lsn)::text AS last_lsn FROM dm_version WHERE tx_id = ANY(CAST(? AS bigint[])) AND op <> 'snapshot' "
                + "GROUP BY tx_id, table_name, op ORDER BY tx_id, min(lsn), table_name",
                List.of((Object) ids.stream().map(String::valueOf).toArray(String[]::new)), rs -> {
                    long tx = rs.getLong("tx_id");
                    long[] c = counts.computeIfAbsent(tx, k -> new LinkedHashMap<>()).computeIfAbsent(rs.getString("table_name"), k -> new long[4]);
                    switch (rs.getString("op")) {
                        case "insert" -> c[0] += rs.getLong("n");
                        case "update" -> c[1] += rs.getLong("n");
                        case "delete" -> c[2] += rs.getLong("n");
                        default -> c[3] += rs.getLong("n");
                    }
                    Instant commit = rs.getTimestamp("commit_ts").toInstant();
                    String first = rs.getString("first_lsn");
                    String last = rs.getString("last_lsn");
                    Object[] s = span.get(tx);
                    if (s == null) {
                        span.put(tx, new Object[] {commit, first, last});
                    } else {
                        if (commit.isAfter((Instant) s[0])) {
                            s[0] = commit;
                        }
                        if (compareLsn(first, (String) s[1]) < 0) {
                            s[1] = first;
                        }
                        if (compareLsn(last, (String) s[2]) > 0) {
                            s[2] = last;
                        }
                    }
                });
        Map<Long, com.fasterxml.jackson.databind.node.ObjectNode> context = contexts.of(counts.keySet());
        counts.forEach((tx, tables) -> {
            List<TableCounts> list = new ArrayList<>();
            long rows = 0;
            for (Map.Entry<String, long[]> t : tables.entrySet()) {
                long[] c = t.getValue();
                list.add(new TableCounts(t.getKey(), c[0], c[1], c[2], c[3]));
                rows += c[0] + c[1] + c[2] + c[3];
            }
            Object[] s = span.get(tx);
            out.put(tx, new Summary(tx, (Instant) s[0], (String) s[1], (String) s[2], rows, List.copyOf(list), context.get(tx)));
        });
        return out;
    }

    private static int compareLsn(String a, String b) {
        return io.datamanager.model.Lsn.parse(a).compareTo(io.datamanager.model.Lsn.parse(b));
    }
}
