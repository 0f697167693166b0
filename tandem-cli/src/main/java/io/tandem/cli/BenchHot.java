package io.tandem.cli;

import io.tandem.cli.gen.Workload;
import io.tandem.cli.gen.Workloads;
import io.tandem.core.ComponentDef;
import io.tandem.core.DeploymentDef;
import io.tandem.core.TandemConfig;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.query.ViewQuery;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code tandem bench hot}: generator → durable log → hot path, in one process. The clock runs from the first
 * generated event to the moment the hot path has applied the last one; the log fsyncs by group commit.
 */
@Command(name = "hot", mixinStandardHelpOptions = true,
        description = "Hot-path throughput: generate a workload into the durable log and apply it to its view.")
final class BenchHot implements Callable<Integer> {

    @Option(names = "--workload", required = true, description = "ohlcv-1m or nexmark-q17.")
    String workload;

    @Option(names = "--events", description = "Events to generate (default: the workload's, 10,000,000).")
    Long events;

    @Option(names = "--seed", defaultValue = "42", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--partitions", description = "Log partitions / hot-path threads (default: cores).")
    Integer partitions;

    @Option(names = "--data-dir", description = "Where the log goes (default: a temporary folder, deleted after).")
    Path dataDir;

    @Option(names = "--store-url", description = "Keep the hot path's state in the Redis server at this URL "
            + "(store: {kind: redis}), under a key prefix of the run's own, deleted after (default: in memory).")
    String storeUrl;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Workload w = Workloads.byName(workload, events == null ? 10_000_000L : events, seed);
        Path dir = dataDir != null ? dataDir : BenchSupport.tempDir("tandem-bench-hot");
        TandemOptions options = TandemOptions.defaults(dir).withMaxLag(Long.MAX_VALUE);
        if (partitions != null) {
            options = options.withPartitions(partitions);
        }
        TandemConfig config = BenchSupport.config(w);
        String prefix = "tandem-bench-" + UUID.randomUUID() + ":";
        if (storeUrl != null) {
            String problem = DeploymentDef.problem("store", "url", storeUrl);
            if (problem != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--store-url: " + problem);
            }
            DeploymentDef embedded = DeploymentDef.embedded();
            config = config.withDeployment(new DeploymentDef(embedded.log(),
                    new ComponentDef("redis", Map.of("url", storeUrl, "key_prefix", prefix)), embedded.batch()));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("bench hot: %s, %,d events, %d partitions, store %s, %s%n", w.name(), w.events(),
                options.partitions(), storeUrl == null ? "memory" : "redis at " + storeUrl, BenchSupport.machine());
        out.flush();
        try (Tandem tandem = Tandem.start(config, options)) {
            long start = System.nanoTime();
            BenchSupport.appendAll(tandem.log(w.stream().name()), w);
            long appended = System.nanoTime();
            if (!tandem.awaitCaughtUp(Duration.ofMinutes(30))) {
                throw new IllegalStateException("the hot path did not catch up within 30 minutes");
            }
            long done = System.nanoTime();
            int rows = tandem.query(new ViewQuery(w.view().name(), 0, 4_102_444_800_000L, 0, Map.of())).rows().size();
            double seconds = (done - start) / 1e9;
            out.printf("  generated and durably appended in %.2f s (%,.0f events/s)%n", (appended - start) / 1e9,
                    w.events() / ((appended - start) / 1e9));
            out.printf("  hot path applied everything in %.2f s: %,.0f events/s end to end%n", seconds,
                    w.events() / seconds);
            out.printf("  view %s: %,d rows%n", w.view().name(), rows);
        } finally {
            if (dataDir == null) {
                BenchSupport.deleteTree(dir);
            }
            if (storeUrl != null) {
                deleteKeys(storeUrl, prefix);
            }
        }
        return 0;
    }

    /** Deletes the run's keys from Redis. */
    private static void deleteKeys(String url, String prefix) {
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
