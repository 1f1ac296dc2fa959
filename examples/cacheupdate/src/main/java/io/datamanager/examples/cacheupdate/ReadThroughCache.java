package io.datamanager.examples.cacheupdate;

import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/**
 * A read-through cache over a Redis that datamanager keeps consistent. A hit is served from Redis; a miss
 * reads the database and fills the key, but only if no change reached the key while the database was read:
 * datamanager keeps a version beside every key it writes or removes ({@code dm:v:<key>}), so the fill notes the
 * version first and writes only if the key is still absent and the version unchanged, in one Lua script.
 * Without that check, a reader that read the old row just before a write could put it back just after the
 * invalidation, and the cache would stay stale until the next change.
 */
public final class ReadThroughCache {
    /** The prefix of datamanager's version keys. */
    public static final String VERSION_PREFIX = "dm:v:";

    /** KEYS[1] key, KEYS[2] its version key; ARGV[1] the value, ARGV[2] the version seen before the read ('' for none). */
    static final String FILL = """
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            if (redis.call('GET', KEYS[2]) or '') ~= ARGV[2] then return 0 end
            redis.call('SET', KEYS[1], ARGV[1])
            return 1
            """;

    /** Reads a row from the source of truth: its JSON, or null when there is no such row. */
    @FunctionalInterface
    public interface Loader {
        String load() throws Exception;
    }

    /** Where a value came from. */
    public enum Source { CACHE, DATABASE }

    public record Read(String value, Source source) {}

    private final UnifiedJedis redis;

    public ReadThroughCache(UnifiedJedis redis) {
        this.redis = redis;
    }

    public Read get(String key, Loader database) throws Exception {
        List<String> cached = redis.mget(key, VERSION_PREFIX + key);
        if (cached.get(0) != null) {
            return new Read(cached.get(0), Source.CACHE);
        }
        String versionBefore = cached.get(1) == null ? "" : cached.get(1);
        String value = database.load();
        if (value != null) {
            redis.eval(FILL, List.of(key, VERSION_PREFIX + key), List.of(value, versionBefore));
        }
        return new Read(value, Source.DATABASE);
    }
}
