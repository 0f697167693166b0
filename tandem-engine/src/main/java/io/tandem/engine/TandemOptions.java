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
 * @param flushDelayMs       the longest an acknowledged append waits for its group-commit fsync
 * @param clock              wall-clock milliseconds (arrival times, epochs)
 */
public record TandemOptions(Path dataDir, int partitions, long checkpointEveryMs, long maxLag, long flushDelayMs,
                            LongSupplier clock) {

    public static TandemOptions defaults(Path dataDir) {
        return new TandemOptions(dataDir, Runtime.getRuntime().availableProcessors(), 10_000, 2_000_000, 10,
                System::currentTimeMillis);
    }

    public TandemOptions withPartitions(int n) {
        return new TandemOptions(dataDir, n, checkpointEveryMs, maxLag, flushDelayMs, clock);
    }

    public TandemOptions withCheckpointEveryMs(long ms) {
        return new TandemOptions(dataDir, partitions, ms, maxLag, flushDelayMs, clock);
    }

    public TandemOptions withMaxLag(long events) {
        return new TandemOptions(dataDir, partitions, checkpointEveryMs, events, flushDelayMs, clock);
    }

    public TandemOptions withClock(LongSupplier c) {
        return new TandemOptions(dataDir, partitions, checkpointEveryMs, maxLag, flushDelayMs, c);
    }
}
