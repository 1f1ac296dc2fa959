package io.datamanager.history.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.Op;
import io.datamanager.model.RowKey;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Prints sustained ingest (versions/s of about 200-byte rows, one transaction per batch with its offsets, as the
 * ingest writes them) and the latency of a row's timeline and of an as-of lookup once the table is large.
 * {@code -Ddm.benchmark.text=N} adds a text of N characters to each image (from about 2,000 PostgreSQL TOASTs it, as
 * in the W3 workload); {@code -Ddm.benchmark.event-id-index=true} adds the unique index on event_id that V3_3 dropped
 * (what it cost).
 * A PostgreSQL of its own with durable settings (fsync on, synchronous commit). Not part of the suite:
 * {@code ./mvnw -pl history-sink -am verify -Dtest=HistoryBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Ddm.benchmark=true}
 * ({@code -Ddm.benchmark.versions=N} to load more).
 */
@EnabledIfSystemProperty(named = "dm.benchmark", matches = "true")
class HistoryBenchmark {

    @Test
    void ingestAndQueryFigures() throws Exception {
        int total = Integer.getInteger("dm.benchmark.versions", 2_000_000);
        int batchSize = 2000;
        int rows = total / 5;
        // durable settings (zonky starts with fsync and synchronous_commit off): the figures hold for production
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                .setServerConfig("shared_buffers", "512MB")
                .setServerConfig("max_wal_size", "4GB").start()) {
            String url = System.getProperty("dm.benchmark.jdbc"); // a server of your own instead of the embedded one
            DataSource ds = url == null ? pg.getPostgresDatabase() : pgDataSource(url);
            Flyway.configure().dataSource(ds).load().migrate();
            if (Boolean.getBoolean("dm.benchmark.event-id-index")) {
                try (Connection c = ds.getConnection()) {
                    c.createStatement().execute("CREATE UNIQUE INDEX dm_version_event_id ON dm_version (event_id)");
                }
                System.out.println("ingest: with the unique index on event_id (before V3_3)");
            }
            int text = Integer.getInteger("dm.benchmark.text", 0);
            VersionStore store = new VersionStore(ds);
            int writers = Integer.getInteger("dm.benchmark.writers", 2);
            System.out.printf("ingest: %d writer(s), as the ingest writes partitions in parallel%n", writers);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
            java.util.concurrent.atomic.AtomicLong inDatabase = new java.util.concurrent.atomic.AtomicLong();
            Instant start = Instant.parse("2026-01-01T00:00:00Z");
            long began = System.nanoTime();
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    Random random = new Random(42 + writer);
                    List<ChangeEvent> batch = new ArrayList<>(batchSize);
                    long lsn = 0x1000000L * (writer + 1);
                    long offset = 0;
                    for (int i = writer; i < total; i += writers) {
                        lsn += 0x40;
                        // writers take disjoint rows, as partitions do
                        int id = random.nextInt(rows / writers) * writers + writer;
                        batch.add(event(id, new Lsn(lsn), start.plusMillis(i), random, text));
                        if (batch.size() == batchSize) {
                            long t = System.nanoTime();
                            store.insert(batch, Map.of(), List.of(new IngestOffset("bench.changes", writer, offset, offset += batchSize)));
                            inDatabase.addAndGet(System.nanoTime() - t);
                            batch.clear();
                        }
                    }
                    if (!batch.isEmpty()) {
                        store.insert(batch, Map.of(), List.of(new IngestOffset("bench.changes", writer, offset, offset + batch.size())));
                    }
                    return null;
                }));
            }
            for (var f : done) {
                f.get();
            }
            pool.shutdown();
            double seconds = (System.nanoTime() - began) / 1e9;
            System.out.printf("ingest: %,d versions of ~%d-byte rows in %.1f s = %,.0f versions/s sustained (batches of %d)%n",
                    total, Json.toBytes(event(1, new Lsn(1), start, new Random(1), text).after()).length, seconds, total / seconds, batchSize);
            System.out.printf("ingest: writers waited %.1f s in all on the database%n", inDatabase.get() / 1e9);

            try (Connection c = ds.getConnection()) {
                c.createStatement().execute("ANALYZE dm_version");
                Random random = new Random(7);
                long[] timeline = time(c, """
                        SELECT seq FROM dm_version WHERE table_name = 'public.bench' AND row_key = ?
                        ORDER BY commit_ts DESC, lsn DESC LIMIT 100""", rows, random, null);
                long[] asOf = time(c, """
                        SELECT seq FROM dm_version WHERE table_name = 'public.bench' AND row_key = ? AND commit_ts <= ?
                        ORDER BY commit_ts DESC, lsn DESC LIMIT 1""", rows, random, start.plusMillis(total / 2));
                System.out.printf("timeline of one row: p50 %.2f ms, p99 %.2f ms; as-of lookup: p50 %.2f ms, p99 %.2f ms (%,d versions)%n",
                        timeline[0] / 1e6, timeline[1] / 1e6, asOf[0] / 1e6, asOf[1] / 1e6, total);
            }
        }
    }

    private static DataSource pgDataSource(String url) {
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setUrl(url);
        return ds;
    }

    private static long[] time(Connection c, String sql, int rows, Random random, Instant at) throws Exception {
        long[] samples = new long[2000];
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < samples.length; i++) {
                ps.setString(1, "{\"id\":" + random.nextInt(rows) + "}");
                if (at != null) {
                    ps.setTimestamp(2, java.sql.Timestamp.from(at));
                }
                long t = System.nanoTime();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rs.getLong(1);
                    }
                }
                samples[i] = System.nanoTime() - t;
            }
        }
        Arrays.sort(samples);
        return new long[] {samples[samples.length / 2], samples[samples.length * 99 / 100]};
    }

    private static ChangeEvent event(int id, Lsn lsn, Instant commit, Random random, int text) {
        ObjectNode pk = Json.mapper().createObjectNode().put("id", id);
        ObjectNode after = pk.deepCopy().put("customer", "customer-" + random.nextInt(100_000))
                .put("status", random.nextBoolean() ? "paid" : "new").put("total", String.format("%d.%02d", random.nextInt(1000), random.nextInt(100)))
                .put("note", Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()))
                .put("updated", commit.toString()).put("email", "someone" + random.nextInt(1000) + "@example.org");
        if (text > 0) { // random letters: compressible about as prose is
            StringBuilder body = new StringBuilder(text);
            for (int i = 0; i < text; i++) {
                body.append((char) ('a' + random.nextInt(26)));
            }
            after.put("body", body.toString());
        }
        return new ChangeEvent(1, RowKey.eventId("public.bench", pk, lsn), "public.bench", Op.UPDATE, pk, after.deepCopy(), after,
                List.of("status"), true, List.of(), lsn.toString(), lsn.value() / 100, commit, commit);
    }
}
