package io.tandem.spi.store;

import io.tandem.core.GroupKey;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The hot path's state: accumulators keyed by (view, dims, bucket, epoch), sharded by (stream, partition), each
 * shard with the next log offset it has applied. A shard's updates and its offset change together atomically,
 * so after a crash the hot path resumes from {@link #committedOffset} and counts every event exactly once.
 *
 * <p>One writer per shard: the hot path {@link #acquire acquires} a shard before it commits to it. A store that
 * several processes share (Redis) fences a writer whose shard another one has acquired since; anyone may read.
 *
 * <p>Accumulators are the {@code Object[]} of a view's measures, in declaration order.
 */
public interface RealtimeStore extends AutoCloseable {

    /** The next log offset that the hot path must apply for this shard; 0 when nothing was ever committed. */
    long committedOffset(String stream, int partition);

    /**
     * Makes the caller the shard's writer, in place of any writer before it, and returns the offset it must replay
     * the log from: the shard's {@link #committedOffset}. A store shared by processes loads what it needs to merge
     * commits into the shard here.
     */
    long acquire(String stream, int partition);

    /**
     * Merges {@code deltas} into the shard, records the idempotency keys, and sets the shard's committed offset to
     * {@code nextOffset}, all at once. The store takes ownership of the delta arrays.
     *
     * @throws IllegalStateException if the caller is no longer the shard's writer (another one acquired it since),
     *                               and then nothing changed; the caller must {@link #acquire} again and replay
     */
    void commit(String stream, int partition, long nextOffset, Map<StateKey, Object[]> deltas,
                List<IdempotencyRecord> idempotency);

    /**
     * Visits every entry of {@code view} with a bucket in {@code [fromBucket, toBucket)} and dims that {@code dims}
     * accepts, shard by shard. The accumulators passed to the visitor are copies the visitor may keep.
     */
    void scan(String view, long fromBucket, long toBucket, Predicate<GroupKey> dims, Visitor visitor);

    /**
     * Visits the entries of one group of {@code view}, those with a bucket in {@code [fromBucket, toBucket)}, shard by
     * shard: what {@link #scan} visits for a filter that accepts {@code dims} only, found without looking at other
     * groups. The accumulators are copies the visitor may keep.
     */
    void scanGroup(String view, GroupKey dims, long fromBucket, long toBucket, Visitor visitor);

    /**
     * Visits the entries of one (view, dims, bucket), every epoch of every shard; the accumulators are copies.
     *
     * @param measures which accumulators to copy, by the view's measure index; the others are null (a reader that
     *                 needs a few measures need not copy sketches). Null for all of them.
     */
    void read(String view, GroupKey dims, long bucket, boolean[] measures, Visitor visitor);

    /** The response recorded for an idempotency key, if any. */
    Optional<IdempotencyRecord> idempotency(String key);

    /** Drops idempotency keys recorded before {@code arrivalMs}. */
    void expireIdempotency(long arrivalMs);

    /** Removes every entry of an epoch up to and including {@code epoch} (the batch view now covers them). */
    void expireThrough(long epoch);

    /** Makes everything committed so far survive a restart (for the in-memory store: writes a checkpoint). */
    void checkpoint();

    /** The number of entries, for status and metrics. */
    long size();

    @Override
    void close();

    @FunctionalInterface
    interface Visitor {
        void visit(StateKey key, Object[] accumulators);
    }
}
