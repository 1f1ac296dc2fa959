package io.datamanager.gateway.delivery;

import io.datamanager.gateway.config.GatewayConfig;
import io.datamanager.model.ValidationException;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import redis.clients.jedis.JedisPooled;

/**
 * The Redis servers subscriptions may write to, by name: {@code default} from {@code DM_REDIS_URL}, others
 * from {@code DM_REDIS_CONNECTIONS}. A subscription names one; it never carries an address or a password, and
 * no URL is ever logged (they hold credentials): errors name the connection.
 */
@ApplicationScoped
public class RedisConnections {
    public static final String DEFAULT = "default";
    private static final int TIMEOUT_MS = 2000;

    private final Map<String, URI> urls = new LinkedHashMap<>();
    private final Map<String, JedisPooled> pools = new ConcurrentHashMap<>();

    RedisConnections(GatewayConfig config) {
        config.redisUrl().ifPresent(url -> urls.put(DEFAULT, parse(DEFAULT, url)));
        config.redisConnections().ifPresent(list -> {
            for (String entry : list.split(",")) {
                if (entry.isBlank()) {
                    continue;
                }
                int eq = entry.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("DM_REDIS_CONNECTIONS: each entry must be name=redis://host:port, one is not");
                }
                String name = entry.substring(0, eq).trim();
                urls.put(name, parse(name, entry.substring(eq + 1).trim()));
            }
        });
    }

    private static URI parse(String name, String url) {
        try {
            URI uri = URI.create(url);
            if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("Redis connection '" + name + "' must be redis://host:port or rediss://host:port");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            // the message of URI.create would echo the URL, password included
            throw new IllegalArgumentException("Redis connection '" + name + "' is not a valid redis:// URL");
        }
    }

    /** The name a subscription's {@code delivery.redis.connection} resolves to. */
    public static String nameOf(String connection) {
        return connection == null ? DEFAULT : connection;
    }

    /** Refuses a subscription naming a connection this gateway does not have. */
    public void check(String connection, String field) {
        String name = nameOf(connection);
        if (!urls.containsKey(name)) {
            throw new ValidationException(field, urls.isEmpty()
                    ? "no Redis is configured on this gateway: set DM_REDIS_URL"
                    : connection == null ? "no default Redis is configured (DM_REDIS_URL); name one of " + urls.keySet()
                    : "'" + connection + "' is not a Redis connection of this gateway; known: " + urls.keySet());
        }
    }

    /** A pooled client of the named connection; thread-safe, shared. */
    public JedisPooled client(String connection) {
        String name = nameOf(connection);
        URI uri = urls.get(name);
        if (uri == null) {
            throw new IllegalStateException("no Redis connection '" + name + "'");
        }
        return pools.computeIfAbsent(name, n -> new JedisPooled(uri, TIMEOUT_MS));
    }

    void onStop(@Observes ShutdownEvent event) {
        pools.values().forEach(JedisPooled::close);
    }
}
