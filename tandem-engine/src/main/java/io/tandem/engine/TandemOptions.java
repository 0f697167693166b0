package io.tandem.engine;

import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * How one Tandem process runs.
 *
 * @param dataDir            where the log and checkpoints live
 * @param partitions         log partitions (and hot-path threads) per stream; fixed once a stream's log exists
 * @param checkpointEveryMs  how often the real-time store is checkpointed
 * @param maxLag             ingest answers 503 while a partition's hot path is more than this many events behind
 * @param clock              wall-clock milliseconds (arrival times, epochs)
 * @param automaticBatchRuns whether batch runs start by themselves after every {@code batch.every} sealed epochs;
 *                           when false only {@link Tandem#runBatch} starts them (epochs are still sealed)
 * @param serving            whether this process is a serving node of a split deployment: its hot path follows
 *                           the workers' writes instead of writing ({@code serve --role serving}; see
 *                           {@link io.tandem.engine.hot.HotPath})
 */
public record TandemOptions(Path dataDir, int partitions, long checkpointEveryMs, long maxLag, LongSupplier clock,
                            boolean automaticBatchRuns, boolean serving) {

    public static TandemOptions defaults(Path dataDir) {
        return new TandemOptions(dataDir, Runtime.getRuntime().availableProcessors(), 10_000, 2_000_000,
                System::currentTimeMillis, true, false);
    }

    public TandemOptions withPartitions(int n) {
        return new TandemOptions(dataDir, n, checkpointEveryMs, maxLag, clock, automaticBatchRuns, serving);
    }

    public TandemOptions withCheckpointEveryMs(long ms) {
        return new TandemOptions(dataDir, partitions, ms, maxLag, clock, automaticBatchRuns, serving);
    }

    public TandemOptions withMaxLag(long events) {
        return new TandemOptions(dataDir, partitions, checkpointEveryMs, events, clock, automaticBatchRuns, serving);
    }

    public TandemOptions withClock(LongSupplier c) {
        return new TandemOptions(dataDir, partitions, checkpointEveryMs, maxLag, c, automaticBatchRuns, serving);
    }

    /** With {@code false}, batch runs start only when asked for (tests that drive the batch layer themselves). */
    public TandemOptions withAutomaticBatchRuns(boolean on) {
        return new TandemOptions(dataDir, partitions, checkpointEveryMs, maxLag, clock, on, serving);
    }

    /** As a serving node of a split deployment, whose hot path follows the workers' writes. */
    public TandemOptions asServingNode() {
        return new TandemOptions(dataDir, partitions, checkpointEveryMs, maxLag, clock, automaticBatchRuns, true);
    }
}
