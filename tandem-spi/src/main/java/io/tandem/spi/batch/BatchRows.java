package io.tandem.spi.batch;

import io.tandem.core.GroupKey;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * The rows of one view in a {@link BatchVersion}: accumulators per (bucket, dims), never changed once built, so a
 * query keeps reading what it started with. The rows of a version a {@link BatchViewStore} published or loaded
 * stay in the store and are read by bucket range; a batch run builds the next version's rows in memory, either
 * whole ({@link #of}) or as the rows of the version before with the buckets it touched replaced
 * ({@link Changed}), so that a store writes only the ranges that hold a replaced bucket.
 */
public interface BatchRows {

    /** No rows. */
    BatchRows NONE = of(Collections.emptyNavigableMap());

    /** The buckets in {@code [fromBucket, toBucket)}, each with its rows by dims; read them, never change them. */
    NavigableMap<Long, Map<GroupKey, Object[]>> buckets(long fromBucket, long toBucket);

    /**
     * Hands the buckets in {@code [fromBucket, toBucket)} to {@code visitor} in order; a store-backed
     * implementation reads them a range at a time, so that the whole span is never held at once.
     */
    default void forEach(long fromBucket, long toBucket, BiConsumer<Long, Map<GroupKey, Object[]>> visitor) {
        buckets(fromBucket, toBucket).forEach(visitor);
    }

    /** The number of (bucket, dims) rows. */
    long rows();

    /** The numbers {@code floorDiv(bucket, span)} of the ranges of {@code span} ms that hold a bucket. */
    NavigableSet<Long> ranges(long span);

    /** Rows held in memory, whole: a full recompute's, or a view's first. */
    static BatchRows of(NavigableMap<Long, Map<GroupKey, Object[]>> rows) {
        return new InMemory(rows);
    }

    /** Rows held in memory, whole. */
    record InMemory(NavigableMap<Long, Map<GroupKey, Object[]>> all) implements BatchRows {

        @Override
        public NavigableMap<Long, Map<GroupKey, Object[]>> buckets(long fromBucket, long toBucket) {
            return fromBucket >= toBucket ? Collections.emptyNavigableMap()
                    : all.subMap(fromBucket, true, toBucket, false);
        }

        @Override
        public long rows() {
            return all.values().stream().mapToLong(Map::size).sum();
        }

        @Override
        public NavigableSet<Long> ranges(long span) {
            NavigableSet<Long> out = new TreeSet<>();
            all.keySet().forEach(b -> out.add(Math.floorDiv(b, span)));
            return out;
        }
    }

    /**
     * The rows of {@code base} with the buckets of {@code changed} put in their place (a bucket there holds all
     * of its rows, those it kept from {@code base} included): what a batch run builds on the version before.
     */
    final class Changed implements BatchRows {

        private final BatchRows base;
        private final NavigableMap<Long, Map<GroupKey, Object[]>> changed;
        private final long rows;

        public Changed(BatchRows base, NavigableMap<Long, Map<GroupKey, Object[]>> changed) {
            this.base = base;
            this.changed = Collections.unmodifiableNavigableMap(new TreeMap<>(changed));
            long n = base.rows();
            for (Map.Entry<Long, Map<GroupKey, Object[]>> e : changed.entrySet()) {
                Map<GroupKey, Object[]> before = base.buckets(e.getKey(), e.getKey() + 1).get(e.getKey());
                n += e.getValue().size() - (before == null ? 0 : before.size());
            }
            this.rows = n;
        }

        /** The rows this one is built on. */
        public BatchRows base() {
            return base;
        }

        /** The buckets that replace those of {@link #base()}. */
        public NavigableMap<Long, Map<GroupKey, Object[]>> changed() {
            return changed;
        }

        @Override
        public NavigableMap<Long, Map<GroupKey, Object[]>> buckets(long fromBucket, long toBucket) {
            NavigableMap<Long, Map<GroupKey, Object[]>> out = new TreeMap<>(base.buckets(fromBucket, toBucket));
            if (fromBucket < toBucket) {
                out.putAll(changed.subMap(fromBucket, true, toBucket, false));
            }
            return out;
        }

        @Override
        public long rows() {
            return rows;
        }

        @Override
        public NavigableSet<Long> ranges(long span) {
            NavigableSet<Long> out = new TreeSet<>(base.ranges(span));
            changed.keySet().forEach(b -> out.add(Math.floorDiv(b, span)));
            return out;
        }
    }
}
