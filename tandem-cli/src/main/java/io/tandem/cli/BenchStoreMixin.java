package io.tandem.cli;

import io.tandem.core.ComponentDef;
import io.tandem.core.DeploymentDef;
import io.tandem.core.TandemConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.net.URI;
import java.util.Map;
import java.util.UUID;

/**
 * {@code --store-url}, which the benchmarks share: the hot path's state in a Redis server instead of memory, under
 * a key prefix of the run's own, deleted after.
 */
final class BenchStoreMixin {

    @Option(names = "--store-url", description = "Keep the hot path's state in the Redis server at this URL "
            + "(store: {kind: redis}), under a key prefix of the run's own, deleted after (default: in memory).")
    String url;

    private final String prefix = "tandem-bench-" + UUID.randomUUID() + ":";

    /** Refuses a {@code --store-url} that is not a Redis URL. */
    void validate(CommandLine command) {
        String problem = url == null ? null : DeploymentDef.problem("store", "url", url);
        if (problem != null) {
            throw new CommandLine.ParameterException(command, "--store-url: " + problem);
        }
    }

    /** {@code config} with its store on Redis when {@code --store-url} is given. */
    TandemConfig apply(TandemConfig config, CommandLine command) {
        validate(command);
        if (url == null) {
            return config;
        }
        DeploymentDef embedded = DeploymentDef.embedded();
        return config.withDeployment(new DeploymentDef(embedded.log(),
                new ComponentDef("redis", Map.of("url", url, "key_prefix", prefix)), embedded.batch()));
    }

    /** Which store the run uses, for its first line. */
    String describe() {
        return url == null ? "store memory" : "store redis at " + url;
    }

    /** Deletes the run's keys from Redis. */
    void cleanUp() {
        if (url == null) {
            return;
        }
        try (Jedis redis = new Jedis(URI.create(url))) {
            ScanParams match = new ScanParams().match(prefix + "*").count(1_000);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = redis.scan(cursor, match);
                if (!page.getResult().isEmpty()) {
                    redis.del(page.getResult().toArray(String[]::new));
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
    }
}
