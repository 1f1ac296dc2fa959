package io.datamanager.examples.cacheupdate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import redis.clients.jedis.JedisPooled;

/**
 * Reads an order through a Redis cache that datamanager keeps consistent, changes it in PostgreSQL, and shows
 * what the cache says right after the commit and after the read-your-writes barrier: after the barrier it is
 * never stale. Configured by environment variables (the local stack passes them):
 * {@code DM_URL}, {@code DM_TOKEN}, {@code DM_SOURCE_JDBC_URL}, {@code DM_REDIS_URL}, {@code DM_EXAMPLE_ROUNDS}.
 */
public final class CacheUpdateDemo {
    static final String SUBSCRIPTION = "cacheupdate-orders";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] STATUSES = {"paid", "packed", "shipped", "delivered", "returned"};

    private CacheUpdateDemo() {}

    public static void main(String[] args) throws Exception {
        String url = env("DM_URL", "http://127.0.0.1:8080");
        String token = env("DM_TOKEN", null);
        String jdbc = env("DM_SOURCE_JDBC_URL", null);
        String redisUrl = env("DM_REDIS_URL", "redis://127.0.0.1:6379");
        int rounds = Integer.parseInt(env("DM_EXAMPLE_ROUNDS", "10"));
        if (token == null || jdbc == null) {
            System.err.println("set DM_TOKEN and DM_SOURCE_JDBC_URL (./datamanager example cacheupdate sets them for the local stack)");
            System.exit(2);
        }
        Barrier barrier = new Barrier(url, token);
        try (Connection db = DriverManager.getConnection(jdbc); JedisPooled redis = new JedisPooled(redisUrl)) {
            ReadThroughCache cache = new ReadThroughCache(redis);
            long id = firstOrder(db);
            String key = "order:" + id;
            barrier.subscribe(SUBSCRIPTION, "{\"table\":\"public.orders\",\"delivery\":{\"redis\":{\"keys\":[\"order:{id}\"],\"action\":\"set\"}}}");
            System.out.printf("subscription %s keeps %s in Redis (%s); order %d is read through it%n", SUBSCRIPTION, "order:{id}", redisUrl, id);
            activate(db, barrier, redis, id, key);

            int staleRightAfterCommit = 0;
            int staleAfterBarrier = 0;
            List<Long> waits = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                String status = STATUSES[round % STATUSES.length] + "-" + round;
                OffsetDateTime written = update(db, id, status);
                JsonNode rightAfter = read(cache, db, id, key);
                long started = System.nanoTime();
                barrier.await(SUBSCRIPTION, Barrier.lsn(db), Duration.ofSeconds(30));
                long waited = (System.nanoTime() - started) / 1_000_000;
                waits.add(waited);
                JsonNode afterBarrier = read(cache, db, id, key);
                boolean staleBefore = olderThan(rightAfter, written);
                boolean staleAfter = olderThan(afterBarrier, written);
                staleRightAfterCommit += staleBefore ? 1 : 0;
                staleAfterBarrier += staleAfter ? 1 : 0;
                System.out.printf("write %2d: status=%-12s right after commit the cache says %-14s after the barrier (%4d ms): %-12s %s%n",
                        round, status, quote(rightAfter) + (staleBefore ? " (stale)" : ""), waited, quote(afterBarrier),
                        staleAfter ? "STALE" : "ok");
            }
            Collections.sort(waits);
            System.out.printf("%d writes: %d read stale right after the commit, %d after the barrier; barrier wait p50 %d ms, max %d ms%n",
                    rounds, staleRightAfterCommit, staleAfterBarrier, waits.get(waits.size() / 2), waits.get(waits.size() - 1));
            if (staleAfterBarrier > 0) {
                System.exit(1);
            }
        }
    }

    /** A new subscription starts matching once the pipeline has read it: write until datamanager itself puts a write in Redis. */
    private static void activate(Connection db, Barrier barrier, JedisPooled redis, long id, String key) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        for (int attempt = 1; System.nanoTime() < deadline; attempt++) {
            String probe = "probe-" + attempt;
            OffsetDateTime written = update(db, id, probe);
            barrier.await(SUBSCRIPTION, Barrier.lsn(db), Duration.ofSeconds(30));
            String cached = redis.get(key); // not through the cache: a miss would read the database
            if (cached != null && !olderThan(JSON.readTree(cached), written)) {
                return;
            }
        }
        throw new IllegalStateException("the subscription did not start delivering within 120 s; is the streams-app running?");
    }

    private static long firstOrder(Connection db) throws Exception {
        try (PreparedStatement s = db.prepareStatement("SELECT id FROM public.orders ORDER BY id LIMIT 1"); ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                throw new IllegalStateException("public.orders is empty; the local stack's demo schema fills it");
            }
            return rs.getLong(1);
        }
    }

    /** Changes the order's status; returns its new updated_at, which tells this write from older versions. */
    private static OffsetDateTime update(Connection db, long id, String status) throws Exception {
        try (PreparedStatement s = db.prepareStatement(
                "UPDATE public.orders SET status = ?, updated_at = clock_timestamp() WHERE id = ? RETURNING updated_at::text")) {
            s.setString(1, status);
            s.setLong(2, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return timestamp(rs.getString(1));
            }
        }
    }

    /**
     * Whether what the cache gave is older than the write: by updated_at, not by status, because the local stack's demo
     * activity may have changed the same order again since (that is newer, not stale).
     */
    private static boolean olderThan(JsonNode row, OffsetDateTime written) {
        return row == null || timestamp(row.path("updated_at").asText()).isBefore(written);
    }

    private static OffsetDateTime timestamp(String text) {
        // PostgreSQL's text form (2026-11-24 10:15:30.123456+00) and JSON's (2026-11-24T10:15:30.123456Z or +00:00)
        String iso = text.replace(' ', 'T');
        return OffsetDateTime.parse(iso.matches(".*[+-]\\d\\d$") ? iso + ":00" : iso);
    }

    private static JsonNode read(ReadThroughCache cache, Connection db, long id, String key) throws Exception {
        ReadThroughCache.Read read = cache.get(key, () -> {
            try (PreparedStatement s = db.prepareStatement("SELECT row_to_json(o)::text FROM public.orders o WHERE id = ?")) {
                s.setLong(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
        return read.value() == null ? null : JSON.readTree(read.value());
    }

    private static String quote(JsonNode row) {
        return row == null ? "(none)" : "'" + row.path("status").asText() + "'";
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
