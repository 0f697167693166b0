package io.tandem.engine.query;

import io.tandem.core.time.Timestamps;

/**
 * The buckets of granularity {@code g} a query over {@code [fromMs, toMs)} reads: {@code from} rounded down,
 * {@code to} rounded up, both clipped to the buckets whose start and end are longs. Two queries with the same
 * view, granularity, range and dimensions give the same answer.
 *
 * @param from the first bucket's start
 * @param to   the end of the last bucket (exclusive)
 */
public record BucketRange(long from, long to) {

    /** @param g a positive granularity in milliseconds */
    public static BucketRange of(long fromMs, long toMs, long g) {
        long last = Math.floorDiv(Long.MAX_VALUE, g) * g;
        long from = Timestamps.bucketStart(Math.max(fromMs, -last), g);
        long to = -Timestamps.bucketStart(-Math.min(Math.max(toMs, -last), last), g);
        return new BucketRange(from, to);
    }

    /** Whether a bucket of the view's own granularity starting at {@code bucket} lies in the range. */
    public boolean contains(long bucket) {
        return bucket >= from && bucket < to;
    }
}
