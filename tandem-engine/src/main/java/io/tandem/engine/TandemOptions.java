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
 */
public record TandemOptions(Path dataDir, int partitions, long checkpointEveryMs, long maxLag, LongSupplier clock,
                            boolean automaticBatchRuns) {

    public static TandemOptions defaults(Path dataDir) {
        return new TandemOptions(dataDir, Runtime.getRuntime().availableProcessors(), 10_000, 2_000_000,
                System::currentTimeMillis, true);
    }

    public TandemOptions withPartitions(int n) {
        return new TandemOptions(dataDir, n, checkpointEveryMs, maxLag, clock, automaticBatchRuns);
    }

    public TandemOptions withCheckpointEveryMs(long ms) {
        return new TandemOptions(dataDir, partitions, ms, maxLag, clock, automaticBatchRuns);
    }

    public TandemOptions withMaxLag(long events) {
        return new TandemOptions(dataDir, partitions, checkpointEveryMs, events, clock, automaticBatchRuns);
    }

    public TandemOptions withClock(LongSupplier c) {
        return new TandemOptions(dataDir, partitions, checkpointEveryMs, maxLag, c, automaticBatchRuns);
    }

    /** With {@code false}, batch runs start only when asked for (tests that drive the batch layer themselves). */
    public TandemOptions withAutomaticBatchRuns(boolean on) {
        return new TandemOptions(dataDir, partitions, checkpointEveryMs, maxLag, clock, on);
    }
}
