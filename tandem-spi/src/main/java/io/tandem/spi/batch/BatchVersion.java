package io.tandem.spi.batch;

import io.tandem.core.GroupKey;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One published batch view version: for each view, the accumulators per (bucket, dims) over every epoch up to
 * and including the boundary epoch. Immutable once published, so a query keeps the version it started with.
 *
 * @param version       1, 2, ...; 0 is the empty version before the first run
 * @param boundaryEpoch the last epoch covered, or {@link Long#MIN_VALUE} before the first run
 * @param untilMs       the arrival time where the boundary epoch ends, or {@link Long#MIN_VALUE}
 * @param views         view name → bucket → dims → accumulators (never changed after publication)
 */
public record BatchVersion(long version, long boundaryEpoch, long untilMs,
                           Map<String, NavigableMap<Long, Map<GroupKey, Object[]>>> views) {

    public static final BatchVersion EMPTY = new BatchVersion(0, Long.MIN_VALUE, Long.MIN_VALUE, Map.of());

    public boolean isEmpty() {
        return version == 0;
    }

    /** The buckets of a view in {@code [fromBucket, toBucket)}. */
    public NavigableMap<Long, Map<GroupKey, Object[]>> buckets(String view, long fromBucket, long toBucket) {
        NavigableMap<Long, Map<GroupKey, Object[]>> all = views.get(view);
        if (all == null) {
            return Collections.emptyNavigableMap();
        }
        return all.subMap(fromBucket, true, toBucket, false);
    }

    /** The number of (bucket, dims) rows of a view. */
    public long rows(String view) {
        return views.getOrDefault(view, new TreeMap<>()).values().stream().mapToLong(Map::size).sum();
    }
}
