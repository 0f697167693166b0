package io.tandem.engine.hot;

import io.tandem.core.GroupKey;
import io.tandem.spi.store.StateKey;
import io.tandem.spi.view.CompiledView;

import java.util.HashMap;
import java.util.Map;

/**
 * One view's accumulators for the batch a partition worker is applying, by (bucket, epoch) and then by group.
 * Consecutive events mostly share a bucket and an epoch, so the worker finds the group map of the last one
 * without a lookup, and builds a {@link StateKey} only once per group per batch, when the batch is committed.
 */
final class BatchDeltas {

    private final CompiledView view;
    private final Map<Long, Map<Long, Map<GroupKey, Object[]>>> byEpochAndBucket = new HashMap<>();
    private long lastBucket;
    private long lastEpoch;
    private Map<GroupKey, Object[]> last;

    BatchDeltas(CompiledView view) {
        this.view = view;
    }

    /** The batch's accumulators of one group, created empty on first use. */
    Object[] accumulators(long bucket, long epoch, GroupKey key) {
        if (last == null || bucket != lastBucket || epoch != lastEpoch) {
            last = byEpochAndBucket.computeIfAbsent(epoch, e -> new HashMap<>())
                    .computeIfAbsent(bucket, b -> new HashMap<>());
            lastBucket = bucket;
            lastEpoch = epoch;
        }
        Object[] accs = last.get(key);
        if (accs == null) {
            accs = view.createAccumulators();
            last.put(key, accs);
        }
        return accs;
    }

    /** Moves every accumulator into {@code out}, keyed by state key, and starts an empty batch. */
    void drainTo(Map<StateKey, Object[]> out) {
        byEpochAndBucket.forEach((epoch, buckets) -> buckets.forEach((bucket, groups) ->
                groups.forEach((key, accs) -> out.put(new StateKey(view.name(), key, bucket, epoch), accs))));
        byEpochAndBucket.clear();
        last = null;
    }
}
