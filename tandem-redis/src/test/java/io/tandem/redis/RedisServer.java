package io.tandem.redis;

import org.junit.jupiter.api.Assumptions;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisConnectionException;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real {@code redis-server} (Debian's package) on a free loopback port, with its append-only file fsynced on
 * every write, in a folder of its own; stopped by {@link #close}.
 */
public final class RedisServer implements AutoCloseable {

    private final Process process;
    private final int port;

    /**
     * Skips the calling test where {@code redis-server} is not installed (CI installs it: {@code .ci/run}), saying
     * how to install it.
     */
    public static void assumeInstalled() {
        boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "redis-server")));
        Assumptions.assumeTrue(found, "redis-server is not on the PATH: apt-get install -y redis-server");
    }

    public RedisServer(Path dir) throws IOException {
        this(dir, freePort());
    }

    /** A server on {@code port} over what {@code dir} holds: a restart of one that was stopped. */
    public RedisServer(Path dir, int port) throws IOException {
        this.port = port;
        Files.createDirectories(dir);
        process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", ""))
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        await().atMost(Duration.ofSeconds(30)).ignoreException(JedisConnectionException.class).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: "
                        + Files.readString(dir.resolve("redis.log")));
            }
            try (Jedis redis = new Jedis("127.0.0.1", port)) {
                return "PONG".equals(redis.ping());
            }
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public JedisPool pool() {
        return new JedisPool(URI.create(url()));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
