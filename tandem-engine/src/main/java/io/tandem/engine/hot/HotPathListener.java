package io.tandem.engine.hot;

import io.tandem.core.Row;
import io.tandem.core.StreamDef;
import io.tandem.spi.store.StateKey;

import java.util.Set;

/**
 * Told what the hot path does, on the partition's own thread: keep it quick, never block, never throw.
 * Alerts on events and on bucket updates, and live view subscriptions, listen here.
 */
public interface HotPathListener {

    /** One event, after the views have counted it. The row is a flyweight: read it now, do not keep it. */
    default void onEvent(StreamDef stream, int partition, Row row) {
    }

    /**
     * A batch of events is committed to the real-time store and visible to queries.
     *
     * @param changed   the (view, dims, bucket, epoch) entries the batch changed
     * @param watermark the stream's watermark after the batch ({@link Long#MIN_VALUE} before any event)
     */
    default void onCommit(StreamDef stream, int partition, Set<StateKey> changed, long watermark) {
    }

    /** After {@link #onCommit}: this listener has been told every event of the partition before {@code next}. */
    default void onApplied(StreamDef stream, int partition, long next) {
    }

    /**
     * Where a hot path that follows (a serving node's) must start the partition for this listener, when that is
     * before the real-time store's committed offset: the offset before which an earlier run of this listener had
     * taken in every event. {@link Long#MAX_VALUE} (the default) when it needs nothing replayed; read once, when the
     * follower starts the partition.
     */
    default long resumeAt(String stream, int partition) {
        return Long.MAX_VALUE;
    }
}
