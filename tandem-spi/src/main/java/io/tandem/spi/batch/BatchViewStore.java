package io.tandem.spi.batch;

import java.util.List;

/**
 * Where the batch layer keeps its published versions: each view's accumulators per (bucket, dims), stored by
 * bucket range, and the version that is current. A publish is atomic (a crash leaves the previous version
 * current) and writes only the ranges that changed: when a view's rows are {@link BatchRows.Changed} on the rows
 * of the last version this store loaded or published, a range that holds none of the changed buckets is kept as
 * it is. The batch runner builds each version that way on the one before, so that is exactly the ranges a run did
 * not touch. The versions it loads and publishes keep their rows in the store, read by bucket range through a
 * cache of bounded size.
 */
public interface BatchViewStore extends AutoCloseable {

    /**
     * The current version, after removing what a crash left behind; {@link BatchVersion#EMPTY} when none was ever
     * published. Views whose definition changed since are left out and named in {@link Loaded#stale()}, so that a
     * full recompute rebuilds them. Files of the version found damaged (by a store that checks them) are named in
     * {@link Loaded#damaged()}: what the version still serves is intact, and a full recompute replaces the rest.
     */
    Loaded load();

    /**
     * The number of the current version, 0 before any was published, read without loading it: how a serving node
     * sees that the batch node (another process, sharing the store's folder) has published a new one.
     */
    long currentVersion();

    /**
     * Stores {@code version} and makes it the current one, atomically; {@link Published#version()} is the same
     * version with its rows read from the store.
     */
    Published publish(BatchVersion version);

    @Override
    void close();

    /**
     * What {@link #load} found.
     *
     * @param stale   the views left out because their definition changed since
     * @param damaged one message per damaged file of the version: the file, where it differs from what was written,
     *                and what was done about it
     */
    record Loaded(BatchVersion version, List<String> stale, List<String> damaged) {

        /** A version found intact. */
        public Loaded(BatchVersion version, List<String> stale) {
            this(version, stale, List.of());
        }
    }

    /**
     * What a {@link #publish} did: the bucket ranges it wrote, those it kept from the version before, and the
     * version as stored, which the next version is built on.
     */
    record Published(int rangesWritten, int rangesKept, BatchVersion version) {
    }
}
