package io.tandem.engine.store;

/** Whether a shard's checkpoint may appear: what it covers is durable wherever else the hot path records it. */
@FunctionalInterface
public interface CheckpointGate {

    /**
     * True once every event of the partition before {@code nextOffset} is durable in every record the hot path's
     * listeners keep of it; may wait a while for that, false when it is still not so.
     */
    boolean open(String stream, int partition, long nextOffset);
}
