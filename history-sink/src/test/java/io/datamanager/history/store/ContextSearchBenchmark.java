package io.datamanager.history.store;

import io.datamanager.history.config.HistoryConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Prints the latency of {@code context.<key>=<value>} searches (versions, transactions, a window restore's read) on
 * 1M versions of 200k transactions, each with a context: a rare value (40 transactions) and a common one (10k). Not
 * part of the suite: {@code ./mvnw -pl history-sink -am verify -Dtest=ContextSearchBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false -Ddm.benchmark=true}.
 */
@EnabledIfSystemProperty(named = "dm.benchmark", matches = "true")
class ContextSearchBenchmark {

    @Test
    void contextSearchFigures() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("shared_buffers", "256MB").start()) {
            DataSource raw = pg.getPostgresDatabase();
            Flyway.configure().dataSource(raw).load().migrate();
            long began = System.nanoTime();
            try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
                s.execute("""
                        INSERT INTO dm_version (event_id, table_name, row_key, pk, op, after, changed, complete, lsn, tx_id, commit_ts)
                        SELECT 'e' || i, 'public.t' || (i % 10), '{"id":' || i || '}', jsonb_build_object('id', i), 'update',
                               jsonb_build_object('id', i, 'name', 'x'), '{name}', true, ('0/' || to_hex(i * 16))::pg_lsn, i / 5,
                               timestamptz '2026-01-01 00:00:00+00' + (i / 5) * interval '50 ms'
                        FROM generate_series(1, 1000000) i""");
                s.execute("""
                        INSERT INTO dm_context (tx_id, context, commit_ts)
                        SELECT t, jsonb_build_object('source', 's' || (t % 20), 'user', 'u' || (t % 5000), 'request', 'r-' || t),
                               timestamptz '2026-01-01 00:00:00+00' + t * interval '50 ms'
                        FROM generate_series(0, 200000) t""");
                s.execute("ANALYZE");
            }
            System.out.printf("context benchmark: loaded 1M versions, 200k contexts in %d ms%n", (System.nanoTime() - began) / 1_000_000);
            // one connection kept open, as the service's pool keeps them: a new connection per query would be most of the time
            Connection kept = raw.getConnection();
            DataSource ds = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                    (proxy, method, args) -> method.getName().equals("getConnection") ? unclosable(kept) : method.invoke(raw, args));
            HistoryQueries queries = new HistoryQueries(ds);
            HistoryConfig config = (HistoryConfig) Proxy.newProxyInstance(HistoryConfig.class.getClassLoader(),
                    new Class<?>[] {HistoryConfig.class}, (proxy, method, args) -> "key");
            ContextStore contexts = new ContextStore(ds, queries, new PolicyStore(ds), config);
            TransactionQueries transactions = new TransactionQueries(queries, contexts);
            RestoreQueries restore = new RestoreQueries(queries);
            HistoryQuery.ContextMatch rare = contexts.match("user", "u42");
            HistoryQuery.ContextMatch common = contexts.match("source", "s3");
            Instant since = Instant.parse("2026-01-01T01:00:00Z");
            for (int round = 0; round < 3; round++) {
                time("versions, rare value (200 versions), newest 100", () -> queries.search(query(null, List.of(rare))).size());
                time("versions, common value (50k versions), newest 100", () -> queries.search(query(null, List.of(common))).size());
                time("versions of one table, rare value", () -> queries.search(query("public.t2", List.of(rare))).size());
                time("versions, rare and common value", () -> queries.search(query(null, List.of(rare, common))).size());
                time("transactions, rare value, page of 100", () -> transactions.page(
                        new TransactionQueries.Query(null, null, null, List.of(rare), 100, null)).size());
                time("transactions, common value, page of 100", () -> transactions.page(
                        new TransactionQueries.Query(null, null, null, List.of(common), 100, null)).size());
                time("window restore read: 10 minutes, common value", () -> restore.window(null, since, since.plusSeconds(600), null,
                        Map.of(), List.of(common), null, 200_001).size());
                time("versions without a filter (the baseline), page of 100", () -> queries.search(query(null, List.of())).size());
                time("the same with contexts attached", () -> contexts.attach(queries.search(query(null, List.of()))).size());
                time("transactions without a filter (the baseline), page of 100", () -> transactions.page(
                        new TransactionQueries.Query(null, null, null, List.of(), 100, null)).size());
            }
        }
    }

    private static Connection unclosable(Connection c) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> method.getName().equals("close") ? null : method.invoke(c, args));
    }

    private static HistoryQuery query(String table, List<HistoryQuery.ContextMatch> context) {
        return new HistoryQuery(table, Map.of(), null, null, null, null, null, Map.of(), context, 100, null);
    }

    interface Measured {
        int run() throws Exception;
    }

    private static void time(String what, Measured measured) throws Exception {
        long t = System.nanoTime();
        int n = measured.run();
        System.out.printf("context benchmark: %-50s %5d results %7.1f ms%n", what, n, (System.nanoTime() - t) / 1e6);
    }
}
