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
 * @param role               what this process runs of the deployment
 * @param sharedDir          where the lake, the batch views and the reports live: a folder that the serving and
 *                           batch nodes of a split deployment both see; the data directory by default
 */
public record TandemOptions(Path dataDir, int partitions, long checkpointEveryMs, long maxLag, LongSupplier clock,
                            boolean automaticBatchRuns, Role role, Path sharedDir) {

    public static TandemOptions defaults(Path dataDir) {
        return new TandemOptions(dataDir, Runtime.getRuntime().availableProcessors(), 10_000, 2_000_000,
                System::currentTimeMillis, true, Role.ALL, dataDir);
    }

    public TandemOptions withPartitions(int n) {
        return new TandemOptions(dataDir, n, checkpointEveryMs, maxLag, clock, automaticBatchRuns, role, sharedDir);
    }

    public TandemOptions withCheckpointEveryMs(long ms) {
        return new TandemOptions(dataDir, partitions, ms, maxLag, clock, automaticBatchRuns, role, sharedDir);
    }

    public TandemOptions withMaxLag(long events) {
        return new TandemOptions(dataDir, partitions, checkpointEveryMs, events,
                clock, automaticBatchRuns, role, sharedDir);
    }

    public TandemOptions withClock(LongSupplier c) {
        return new TandemOptions(dataDir, partitions, checkpointEveryMs, maxLag,
                c, automaticBatchRuns, role, sharedDir);
    }

    /** With {@code false}, batch runs start only when asked for (tests that drive the batch layer themselves). */
    public TandemOptions withAutomaticBatchRuns(boolean on) {
        return new TandemOptions(dataDir, partitions, checkpointEveryMs, maxLag, clock, on, role, sharedDir);
    }

    /** As one role of a split deployment; see {@link Role}. */
    public TandemOptions withRole(Role r) {
        return new TandemOptions(dataDir, partitions, checkpointEveryMs, maxLag,
                clock, automaticBatchRuns, r, sharedDir);
    }

    /** With the lake, the batch views and the reports in {@code dir}, which other nodes see too. */
    public TandemOptions withSharedDir(Path dir) {
        return new TandemOptions(dataDir, partitions, checkpointEveryMs, maxLag, clock, automaticBatchRuns, role, dir);
    }
}
