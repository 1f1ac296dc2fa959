package io.datamanager.gateway.delivery;

import io.datamanager.model.ChangeEvent;
import io.datamanager.model.Json;
import io.datamanager.model.Lsn;
import io.datamanager.model.subscription.RedisAction;
import io.datamanager.model.subscription.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Applies one change to a Redis cache, each key with its version beside it ({@code dm:v:<key>}: the LSN of
 * the change that last wrote or removed the key, as 16 hex digits, so text order is LSN order). One Lua
 * script per change makes each key's check and write atomic:
 * <ul>
 *   <li>{@code set}: the new row is written, or the key removed, only when the change is newer than the
 *       key's version; an older change delivered again (a replay, a retry after a crash) changes nothing.</li>
 *   <li>{@code delete}: the key is evicted, whatever its version, and the version is replaced, so a reader
 *       that noted the version before reading the database sees that its copy may be stale.</li>
 * </ul>
 * The version of a removed key is kept for {@code versionTtl}, so a late older change cannot bring it back.
 * Readers that fill the cache themselves follow the protocol in the README: note the version, read the
 * database, write only if the key is still absent and the version unchanged.
 */
final class RedisWriter {
    /** Prefix of the version key beside every key datamanager writes or removes. */
    static final String VERSION_PREFIX = "dm:v:";

    /**
     * KEYS: pairs (key, version key). ARGV[1]: this change's version, ARGV[2]: seconds a removed key's version
     * is kept, ARGV[3]: the new row, ARGV[3 + n]: what to do with pair n: 's' write the row if newer, 'd'
     * remove if newer, 'e' evict.
     */
    static final String SCRIPT = """
            local applied = 0
            for i = 1, #KEYS, 2 do
              local what = ARGV[3 + (i + 1) / 2]
              local seen = redis.call('GET', KEYS[i + 1])
              if what == 'e' then
                redis.call('DEL', KEYS[i])
                redis.call('SET', KEYS[i + 1], ARGV[1], 'EX', ARGV[2])
                applied = applied + 1
              elseif not seen or seen < ARGV[1] then
                if what == 's' then
                  redis.call('SET', KEYS[i], ARGV[3])
                  redis.call('SET', KEYS[i + 1], ARGV[1])
                else
                  redis.call('DEL', KEYS[i])
                  redis.call('SET', KEYS[i + 1], ARGV[1], 'EX', ARGV[2])
                end
                applied = applied + 1
              end
            end
            return applied
            """;
    private static final int KEYS_PER_CALL = 256;
    /** The script's SHA-1: EVALSHA sends 40 characters instead of the script, which Redis would hash again on every call. */
    static final String SCRIPT_SHA = sha1(SCRIPT);

    private final long versionTtlSeconds;

    RedisWriter(Duration versionTtl) {
        this.versionTtlSeconds = Math.max(1, versionTtl.toSeconds());
    }

    /** EVALSHA, and EVAL (which loads the script) when this Redis does not know it yet, or forgot it (SCRIPT FLUSH, a restart). */
    private static Object evaluate(UnifiedJedis redis, List<String> keys, List<String> args) {
        try {
            return redis.evalsha(SCRIPT_SHA, keys, args);
        } catch (JedisNoScriptException e) {
            return redis.eval(SCRIPT, keys, args);
        }
    }

    private static String sha1(String script) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }

    /** The version of a change: its LSN as 16 hex digits. */
    static String version(ChangeEvent change) {
        return String.format("%016X", Lsn.parse(change.lsn()).value());
    }

    /** Applies the change; returns how many keys it wrote or removed (older than their version: none). */
    long apply(UnifiedJedis redis, RedisAction action, RedisKeys keys, ChangeEvent change) {
        String version = version(change);
        String row = row(change);
        String remove = removal(action);
        long applied = run(redis, pairs(action, keys), version, row);
        for (String glob : keys.globs()) {
            applied += truncate(redis, glob, remove, version);
        }
        return applied;
    }

    /** One change of a batch: its keys and the change. */
    record Change(RedisKeys keys, ChangeEvent change) {}

    /**
     * Applies the changes in their order, as {@link #apply} would one by one, but sends the scripts of consecutive
     * changes in one pipeline: one round trip for the lot instead of one per change. A pipeline sends the script itself
     * (EVAL), not its SHA-1: a script cache flushed halfway through would otherwise fail some calls and not others, and
     * redoing the failed ones after later ones had run would apply a row's changes out of order. A truncate (SCAN) ends
     * the pipeline before it and runs alone. A failure throws; running the whole batch again is safe, each key's version
     * refusing what it already holds.
     */
    long applyAll(UnifiedJedis redis, RedisAction action, List<Change> changes) {
        if (changes.size() == 1) {
            return apply(redis, action, changes.get(0).keys(), changes.get(0).change()); // one round trip either way: EVALSHA's fewer bytes
        }
        long applied = 0;
        List<Response<Object>> answers = new ArrayList<>();
        AbstractPipeline pipeline = null;
        try {
            for (Change c : changes) {
                if (!c.keys().globs().isEmpty()) {
                    AbstractPipeline before = pipeline;
                    pipeline = null;
                    applied += sync(before, answers);
                    applied += apply(redis, action, c.keys(), c.change());
                    continue;
                }
                if (pipeline == null) {
                    pipeline = redis.pipelined();
                }
                String version = version(c.change());
                String row = row(c.change());
                for (Call call : calls(pairs(action, c.keys()), version, row)) {
                    answers.add(pipeline.eval(SCRIPT, call.keys(), call.args()));
                }
            }
            AbstractPipeline last = pipeline;
            pipeline = null;
            applied += sync(last, answers);
        } finally {
            if (pipeline != null) {
                pipeline.close(); // failed before its sync: gives the connection back (broken or not) once
            }
        }
        return applied;
    }

    /** Sends what the pipeline holds and reads every answer; the pipeline is closed (its connection given back) either way. */
    private static long sync(AbstractPipeline pipeline, List<Response<Object>> answers) {
        if (pipeline == null) {
            return 0;
        }
        long applied = 0;
        try (pipeline) {
            pipeline.sync();
            for (Response<Object> answer : answers) {
                applied += (Long) answer.get(); // an error reply throws here
            }
        } finally {
            answers.clear();
        }
        return applied;
    }

    /** A truncate names no row: every key the template can produce is removed, in batches as SCAN finds them. */
    private long truncate(UnifiedJedis redis, String glob, String remove, String version) {
        long applied = 0;
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams params = new ScanParams().match(glob).count(1000);
        do {
            ScanResult<String> page = redis.scan(cursor, params);
            List<String[]> pairs = new ArrayList<>();
            page.getResult().forEach(k -> pairs.add(new String[] {k, remove}));
            applied += run(redis, pairs, version, "");
            cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        return applied;
    }

    private long run(UnifiedJedis redis, List<String[]> pairs, String version, String row) {
        long applied = 0;
        for (Call call : calls(pairs, version, row)) {
            applied += (Long) evaluate(redis, call.keys(), call.args());
        }
        return applied;
    }

    private static String row(ChangeEvent change) {
        return change.after() == null ? "" : new String(Json.toBytes(change.after()), StandardCharsets.UTF_8);
    }

    /** What a removed key gets: 'd' removed if the change is newer (set), 'e' evicted whatever its version (delete). */
    private static String removal(RedisAction action) {
        return action == RedisAction.SET ? "d" : "e";
    }

    /** (key, what to do) for every key the change names: 's' write, and for a removed key 'd' (if newer) or 'e' (evict). */
    private static List<String[]> pairs(RedisAction action, RedisKeys keys) {
        String remove = removal(action);
        List<String[]> pairs = new ArrayList<>();
        keys.set().forEach(k -> pairs.add(new String[] {k, "s"}));
        keys.delete().forEach(k -> pairs.add(new String[] {k, remove}));
        return pairs;
    }

    /** One call of the script: its KEYS and ARGV. */
    private record Call(List<String> keys, List<String> args) {}

    /** The script's calls for these pairs, at most {@value #KEYS_PER_CALL} keys each. */
    private List<Call> calls(List<String[]> pairs, String version, String row) {
        List<Call> calls = new ArrayList<>();
        for (int from = 0; from < pairs.size(); from += KEYS_PER_CALL) {
            List<String[]> batch = pairs.subList(from, Math.min(pairs.size(), from + KEYS_PER_CALL));
            List<String> keys = new ArrayList<>(batch.size() * 2);
            List<String> args = new ArrayList<>(batch.size() + 3);
            args.add(version);
            args.add(Long.toString(versionTtlSeconds));
            args.add(row);
            for (String[] pair : batch) {
                keys.add(pair[0]);
                keys.add(VERSION_PREFIX + pair[0]);
                args.add(pair[1]);
            }
            calls.add(new Call(keys, args));
        }
        return calls;
    }
}
