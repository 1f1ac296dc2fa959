package io.datamanager.bench;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * When each cache key was written, as Redis itself tells it: keyspace notifications ({@code notify-keyspace-events})
 * subscribed to before anything is written, so the time noted is the moment Redis executed the SET, not the moment a
 * poll happened to look.
 */
final class RedisWatcher implements AutoCloseable {
    private final String keyPrefix;
    private final Map<Long, Instant> written = new ConcurrentHashMap<>();
    private final Jedis subscriber;
    private final JedisPubSub pubSub;
    private final Thread thread;

    /** Watches the keys {@code <keyPrefix><row id>} on the Redis at {@code port}. */
    RedisWatcher(int port, String keyPrefix) throws InterruptedException {
        this.keyPrefix = keyPrefix;
        try (Jedis admin = new Jedis("127.0.0.1", port)) {
            admin.configSet("notify-keyspace-events", "K$");
        }
        String channelPrefix = "__keyspace@0__:" + keyPrefix;
        CountDownLatch subscribed = new CountDownLatch(1);
        pubSub = new JedisPubSub() {
            @Override
            public void onPSubscribe(String pattern, int count) {
                subscribed.countDown();
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                Instant at = Instant.now();
                if ("set".equals(message) && channel.startsWith(channelPrefix)) {
                    try {
                        written.putIfAbsent(Long.parseLong(channel.substring(channelPrefix.length())), at);
                    } catch (NumberFormatException notOurs) {
                        // a key of another shape
                    }
                }
            }
        };
        subscriber = new Jedis("127.0.0.1", port, 0);
        thread = new Thread(() -> {
            try {
                subscriber.psubscribe(pubSub, channelPrefix + "*");
            } catch (RuntimeException closed) {
                // the connection closed under the subscription: the watch is over
            }
        }, "redis-keyspace");
        thread.setDaemon(true);
        thread.start();
        if (!subscribed.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("could not subscribe to Redis keyspace notifications");
        }
    }

    /** When the key of each row was first written. */
    Map<Long, Instant> written() {
        return written;
    }

    String keyPrefix() {
        return keyPrefix;
    }

    @Override
    public void close() {
        try {
            pubSub.punsubscribe();
        } catch (RuntimeException e) {
            // already gone
        }
        subscriber.close();
    }
}
