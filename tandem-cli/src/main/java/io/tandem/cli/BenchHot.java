package io.tandem.cli;

import io.tandem.cli.gen.Workload;
import io.tandem.cli.gen.Workloads;
import io.tandem.core.TandemConfig;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.query.ViewQuery;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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

    @CommandLine.Mixin
    BenchStoreMixin store;

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
        TandemConfig config = store.apply(BenchSupport.config(w), spec.commandLine());
        PrintWriter out = spec.commandLine().getOut();
        out.printf("bench hot: %s, %,d events, %d partitions, %s, %s%n", w.name(), w.events(),
                options.partitions(), store.describe(), BenchSupport.machine());
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
            store.cleanUp();
        }
        return 0;
    }
}
