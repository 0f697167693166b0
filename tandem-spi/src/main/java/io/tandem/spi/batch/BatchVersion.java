package io.tandem.spi.batch;

import io.tandem.core.GroupKey;

import java.util.Map;
import java.util.NavigableMap;
import java.util.function.BiConsumer;

/**
 * One published batch view version: for each view, the accumulators per (bucket, dims) over every epoch up to
 * and including the boundary epoch. Immutable once published, so a query keeps the version it started with; the
 * rows of a version a store published or loaded stay in the store and are read by bucket range ({@link BatchRows}).
 *
 * @param version       1, 2, ...; 0 is the empty version before the first run
 * @param boundaryEpoch the last epoch covered, or {@link Long#MIN_VALUE} before the first run
 * @param untilMs       the arrival time where the boundary epoch ends, or {@link Long#MIN_VALUE}
 * @param views         view name → its rows (never changed after publication)
 */
public record BatchVersion(long version, long boundaryEpoch, long untilMs, Map<String, BatchRows> views) {

    public static final BatchVersion EMPTY = new BatchVersion(0, Long.MIN_VALUE, Long.MIN_VALUE, Map.of());

    public boolean isEmpty() {
        return version == 0;
    }

    /** The buckets of a view in {@code [fromBucket, toBucket)}, held whole: for a span that fits in memory. */
    public NavigableMap<Long, Map<GroupKey, Object[]>> buckets(String view, long fromBucket, long toBucket) {
        return views.getOrDefault(view, BatchRows.NONE).buckets(fromBucket, toBucket);
    }

    /** Hands the buckets of a view in {@code [fromBucket, toBucket)} to {@code visitor}, a range at a time. */
    public void forEachBucket(String view, long fromBucket, long toBucket,
                              BiConsumer<Long, Map<GroupKey, Object[]>> visitor) {
        views.getOrDefault(view, BatchRows.NONE).forEach(fromBucket, toBucket, visitor);
    }

    /** The number of (bucket, dims) rows of a view. */
    public long rows(String view) {
        return views.getOrDefault(view, BatchRows.NONE).rows();
    }
}
