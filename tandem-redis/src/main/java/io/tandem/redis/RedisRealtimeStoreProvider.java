package io.tandem.redis;

import io.tandem.spi.PartContext;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.store.RealtimeStoreProvider;
import io.tandem.spi.view.Catalog;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisException;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * {@code store: {kind: redis, url: "redis://127.0.0.1:6379", key_prefix: "tandem:"}}: a {@link RedisRealtimeStore}
 * on the server at {@code url} ({@code rediss://} for TLS; a password and database as in
 * {@code redis://:secret@host:6379/2}), its keys under {@code key_prefix}.
 */
public final class RedisRealtimeStoreProvider implements RealtimeStoreProvider {

    public static final String DEFAULT_URL = "redis://127.0.0.1:6379";
    public static final String DEFAULT_PREFIX = "tandem:";
    private static final int TIMEOUT_MS = 10_000;

    @Override
    public String kind() {
        return "redis";
    }

    @Override
    public RealtimeStore open(Catalog catalog, PartContext context) throws IOException {
        String url = context.part().settings().getOrDefault("url", DEFAULT_URL);
        String prefix = context.part().settings().getOrDefault("key_prefix", DEFAULT_PREFIX);
        GenericObjectPoolConfig<Jedis> pooling = new GenericObjectPoolConfig<>();
        pooling.setMaxTotal(64);
        pooling.setMaxIdle(16);
        pooling.setMaxWait(Duration.ofMillis(TIMEOUT_MS));
        JedisPool pool = new JedisPool(pooling, URI.create(url), TIMEOUT_MS);
        try (Jedis redis = pool.getResource()) {
            redis.ping();
        } catch (JedisException e) {
            pool.close();
            throw new IOException("store.url: cannot reach Redis at " + redacted(url) + ": " + e.getMessage(), e);
        }
        return new RedisRealtimeStore(catalog, pool, prefix);
    }

    /** The url without its password, for messages. */
    static String redacted(String url) {
        URI uri = URI.create(url);
        return uri.getUserInfo() == null ? url : url.replace(uri.getRawUserInfo() + "@", "***@");
    }
}
