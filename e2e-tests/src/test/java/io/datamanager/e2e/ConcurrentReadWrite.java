package io.datamanager.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.examples.cacheupdate.Barrier;
import io.datamanager.examples.cacheupdate.ReadThroughCache;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.JedisPooled;

/**
 * Many readers read rows through the cache example's {@link ReadThroughCache} (filling it on a miss) while
 * writers bump the rows' versions, each waiting on the barrier of both subscriptions after its commit. Every
 * read is checked against the writes whose barrier had returned before the read began: it must not show an
 * older version. Two caches are read: one datamanager writes ({@code set}) and one it only evicts.
 */
final class ConcurrentReadWrite {
    private static final int FIRST_ROW = 3000;
    private static final int ROWS = 3; // few, hot rows: writes of a row land while readers of it are between read and fill
    private static final int WRITERS = 4;
    private static final int WRITES_EACH = 15;
    private static final int READERS = 6;
    private static final String[] CACHES = {"order:", "order-row:"};

    record Write(int row, int version, long releasedNanos) {}

    record Read(int row, int version, long startedNanos, String key, ReadThroughCache.Source source) {}

    private final Stack stack;
    private final String setSubscription;
    private final String evictSubscription;
    private final List<Write> writes = new CopyOnWriteArrayList<>();
    private final List<Read> reads = new CopyOnWriteArrayList<>();

    ConcurrentReadWrite(Stack stack, String setSubscription, String evictSubscription) {
        this.stack = stack;
        this.setSubscription = setSubscription;
        this.evictSubscription = evictSubscription;
    }

    void run() throws Exception {
        Barrier barrier = new Barrier(stack.gatewayUrl(), stack.token);
        try (Connection session = stack.session(); PreparedStatement insert = session.prepareStatement(
                "INSERT INTO shop_orders (id, customer_id, status) SELECT g, 3, 'new' FROM generate_series(?, ?) g")) {
            insert.setInt(1, FIRST_ROW);
            insert.setInt(2, FIRST_ROW + ROWS - 1);
            insert.executeUpdate();
            String lsn = Barrier.lsn(session);
            barrier.await(setSubscription, lsn, Duration.ofSeconds(30));
            barrier.await(evictSubscription, lsn, Duration.ofSeconds(30));
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS);
        try (JedisPooled redis = new JedisPooled(stack.redis.url())) {
            List<Future<?>> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                readers.add(pool.submit(() -> read(new ReadThroughCache(redis), writing)));
            }
            List<Future<?>> writers = new ArrayList<>();
            for (int i = 0; i < WRITERS; i++) {
                writers.add(pool.submit(() -> write(barrier)));
            }
            for (Future<?> writer : writers) {
                writer.get(5, TimeUnit.MINUTES);
            }
            writing.set(false);
            for (Future<?> reader : readers) {
                reader.get(1, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        check();
    }

    private Void write(Barrier barrier) throws Exception {
        try (Connection session = stack.session(); PreparedStatement bump = session.prepareStatement(
                "UPDATE shop_orders SET version = version + 1, status = 'written' WHERE id = ? RETURNING version")) {
            for (int i = 0; i < WRITES_EACH; i++) {
                int row = FIRST_ROW + ThreadLocalRandom.current().nextInt(ROWS);
                bump.setInt(1, row);
                int version;
                try (ResultSet rs = bump.executeQuery()) {
                    rs.next();
                    version = rs.getInt(1);
                }
                String lsn = Barrier.lsn(session);
                barrier.await(setSubscription, lsn, Duration.ofSeconds(60));
                barrier.await(evictSubscription, lsn, Duration.ofSeconds(60));
                writes.add(new Write(row, version, System.nanoTime()));
            }
        }
        return null;
    }

    private Void read(ReadThroughCache cache, AtomicBoolean writing) throws Exception {
        try (Connection db = stack.pg.connect(stack.database);
                PreparedStatement load = db.prepareStatement("SELECT row_to_json(o)::text FROM shop_orders o WHERE id = ?")) {
            while (writing.get()) {
                int row = FIRST_ROW + ThreadLocalRandom.current().nextInt(ROWS);
                String key = CACHES[ThreadLocalRandom.current().nextInt(CACHES.length)] + row;
                long started = System.nanoTime();
                ReadThroughCache.Read got = cache.get(key, () -> {
                    load.setInt(1, row);
                    try (ResultSet rs = load.executeQuery()) {
                        String value = rs.next() ? rs.getString(1) : null;
                        if (ThreadLocalRandom.current().nextBoolean()) {
                            // a slow reader (a GC pause, a busy host) between its read and its fill: a change can be
                            // delivered in between, which is what the fill protocol must not undo
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100 + ThreadLocalRandom.current().nextInt(300)));
                        }
                        return value;
                    }
                });
                reads.add(new Read(row, Integer.parseInt(CacheConsistencyIT.row(got.value()).get("version")), started, key, got.source()));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // paces the load so the pipeline keeps a core
            }
        }
        return null;
    }

    private void check() {
        List<String> violations = new ArrayList<>();
        int checked = 0;
        List<Write> byRelease = new ArrayList<>(writes);
        byRelease.sort(Comparator.comparingLong(Write::releasedNanos));
        for (Read read : reads) {
            int newestReleased = -1;
            for (Write write : byRelease) {
                if (write.releasedNanos() >= read.startedNanos()) {
                    break;
                }
                if (write.row() == read.row()) {
                    newestReleased = Math.max(newestReleased, write.version());
                }
            }
            if (newestReleased >= 0) {
                checked++;
                if (read.version() < newestReleased) {
                    violations.add(read.key() + " read version " + read.version() + " from " + read.source() + " after the barrier of version "
                            + newestReleased + " returned");
                }
            }
        }
        long hits = reads.stream().filter(r -> r.source() == ReadThroughCache.Source.CACHE).count();
        System.out.printf("concurrency: %d writes by %d writers (each waiting on the barrier), %d reads by %d readers (%d from the cache, "
                + "%d from the database), %d reads began after a barrier of their row had returned, %d saw an older version%n",
                writes.size(), WRITERS, reads.size(), READERS, hits, reads.size() - hits, checked, violations.size());
        assertThat(writes).hasSize(WRITERS * WRITES_EACH);
        assertThat(checked).as("reads that a returned barrier constrains").isGreaterThan(500);
        assertThat(hits).as("reads served by the cache").isGreaterThan(100);
        assertThat(violations).isEmpty();
    }
}
