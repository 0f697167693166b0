package io.tandem.spi.log;

import java.util.Collection;

/**
 * The processes that share the hot path of the streams (Kafka: one consumer group): each partition of each
 * stream's log has one owner at a time, and when a process joins, leaves or stops answering, its partitions move
 * to the others. Ownership here only says who should work a partition; the real-time store fences a writer that
 * lost it ({@link io.tandem.spi.store.RealtimeStore#acquire}), so two owners for a moment never count twice.
 */
public interface PartitionGroup extends AutoCloseable {

    /** Told, on the group's own thread, which partitions this process gains and loses. */
    interface Listener {

        /** This process now owns these partitions of the stream. */
        void assigned(String stream, Collection<Integer> partitions);

        /**
         * This process no longer owns these partitions (given up in a rebalance, or lost when the group dropped
         * it); work on them must have stopped when this returns.
         */
        void revoked(String stream, Collection<Integer> partitions);
    }

    /** Leaves the group: the partitions still owned are revoked first. */
    @Override
    void close();
}
