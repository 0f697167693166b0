package io.tandem.cli;

import io.tandem.cli.gen.Workload;
import io.tandem.cli.gen.Workloads;
import io.tandem.core.MeasureDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.ViewDef;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.batch.BatchBenchmark;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.spi.view.Catalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code tandem bench batch}: a workload's events go through the log into the lake as one sealed epoch; then an
 * incremental batch run (timed by phase), a hand-written DuckDB query computing the same exact aggregates over the
 * same Parquet files, and a full recompute. A second view with sketch measures is timed separately.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = "Batch-layer times: incremental run, hand-written DuckDB SQL on the same files, full recompute.")
final class BenchBatch implements Callable<Integer> {

    private static final long T0 = 1_767_225_600_000L;
    private static final long EPOCH_MS = 3_600_000L;

    @Option(names = "--workload", required = true, description = "ohlcv-1m or nexmark-q17.")
    String workload;

    @Option(names = "--events", description = "Events (default: the workload's, 10,000,000).")
    Long events;

    @Option(names = "--data-dir", description = "Where the data goes (default: a temporary folder, deleted after).")
    Path dataDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Workload w = Workloads.byName(workload, events == null ? 10_000_000L : events, 42);
        Path dir = dataDir != null ? dataDir : BenchSupport.tempDir("tandem-bench-batch");
        PrintWriter out = spec.commandLine().getOut();
        out.printf("bench batch: %s, %,d events, %s%n", w.name(), w.events(), BenchSupport.machine());
        out.flush();
        AtomicLong clock = new AtomicLong(T0);
        try (Tandem tandem = Tandem.start(config(w), TandemOptions.defaults(dir).withMaxLag(Long.MAX_VALUE)
                .withClock(clock::get).withAutomaticBatchRuns(false))) {
            // 1. every event into the log within one epoch; the hot path applies them as they come
            BenchSupport.appendAll(tandem.log(w.stream().name()), w);
            if (!tandem.awaitCaughtUp(Duration.ofMinutes(30))) {
                throw new IllegalStateException("the hot path did not catch up");
            }
            // 2. the epoch ends: the run seals it into the lake, aggregates, reconciles and publishes
            clock.set(T0 + EPOCH_MS + 5_000);
            BatchRun incremental = published(tandem.runBatch(false).join());
            out.printf("  incremental run: %,d ms in all; phases (ms) %s%n", incremental.durationMs(),
                    incremental.phasesMs());
            // 3. the engine against the same exact aggregates in hand-written SQL, same files, same DuckDB, warm
            List<Path> files;
            try (Stream<Path> walk = Files.walk(dir.resolve("lake").resolve(w.stream().name()))) {
                files = walk.filter(p -> p.getFileName().toString().matches("part-\\d+\\.parquet")).sorted()
                        .toList();
            }
            BatchBenchmark.Result ratio = BatchBenchmark.run(new Catalog(config(w)).view(w.view().name()), files, 3,
                    new DuckDb(config(w).duckdb(), dir.resolve("tmp").resolve("bench")));
            out.printf("  exact measures, warm medians of 3: batch engine %,.0f ms, hand-written DuckDB SQL %,.0f ms: "
                    + "ratio %.2f (%,d groups)%n", ratio.engineSeconds() * 1000, ratio.sqlSeconds() * 1000,
                    ratio.ratio(), ratio.groups());
            out.printf("  sketch measures (distinct, quantile) in their own view: %,d ms%n",
                    incremental.phasesMs().get("aggregate " + w.view().name() + "_sketches"));
            // 4. a full recompute of every view from the whole lake
            BatchRun full = published(tandem.runBatch(true).join());
            out.printf("  full recompute: %,d ms in all; phases (ms) %s%n", full.durationMs(), full.phasesMs());
            out.printf("  peak resident memory of this process: %,d MiB (JVM heap limit %,d MiB)%n",
                    peakRssKb() / 1024, Runtime.getRuntime().maxMemory() >> 20);
        } finally {
            if (dataDir == null) {
                BenchSupport.deleteTree(dir);
            }
        }
        return 0;
    }

    /** The workload's view, and a second one with its sketch measures. */
    private static TandemConfig config(Workload w) {
        ViewDef v = w.view();
        String value = w.stream().fields().get(1).name();
        Map<String, MeasureDef> sketches = new LinkedHashMap<>();
        sketches.put("distinct_values", new MeasureDef("distinct_values", "distinct", value, null, null));
        sketches.put("median", new MeasureDef("median", "quantile", value, 0.5, null));
        ViewDef s = new ViewDef(v.name() + "_sketches", v.from(), v.groupBy(), v.granularityMs(), null, sketches);
        return new TandemConfig(EPOCH_MS, Map.of(w.stream().name(), w.stream()), Map.of(v.name(), v, s.name(), s),
                Integer.MAX_VALUE, Map.of(), Map.of());
    }

    private static BatchRun published(BatchRun run) {
        if (!run.status().equals("published")) {
            throw new IllegalStateException("the batch run did not publish: " + run);
        }
        return run;
    }

    private static long peakRssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }
}
