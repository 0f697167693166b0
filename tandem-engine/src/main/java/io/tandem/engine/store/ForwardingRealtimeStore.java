package io.tandem.engine.store;

import io.tandem.core.GroupKey;
import io.tandem.spi.store.IdempotencyRecord;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.store.StateKey;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** A store that hands every call to another one; a wrapper overrides only the calls it adds to. */
public abstract class ForwardingRealtimeStore implements RealtimeStore {

    protected final RealtimeStore store;

    protected ForwardingRealtimeStore(RealtimeStore store) {
        this.store = store;
    }

    @Override
    public long committedOffset(String stream, int partition) {
        return store.committedOffset(stream, partition);
    }

    @Override
    public long acquire(String stream, int partition) {
        return store.acquire(stream, partition);
    }

    @Override
    public void commit(String stream, int partition, long nextOffset, Map<StateKey, Object[]> deltas,
                       List<IdempotencyRecord> idempotency) {
        store.commit(stream, partition, nextOffset, deltas, idempotency);
    }

    @Override
    public void scan(String view, long fromBucket, long toBucket, Predicate<GroupKey> dims, Visitor visitor) {
        store.scan(view, fromBucket, toBucket, dims, visitor);
    }

    @Override
    public void scanGroup(String view, GroupKey dims, long fromBucket, long toBucket, Visitor visitor) {
        store.scanGroup(view, dims, fromBucket, toBucket, visitor);
    }

    @Override
    public void read(String view, GroupKey dims, long bucket, boolean[] measures, Visitor visitor) {
        store.read(view, dims, bucket, measures, visitor);
    }

    @Override
    public Optional<IdempotencyRecord> idempotency(String key) {
        return store.idempotency(key);
    }

    @Override
    public void expireIdempotency(long arrivalMs) {
        store.expireIdempotency(arrivalMs);
    }

    @Override
    public void expireThrough(long epoch) {
        store.expireThrough(epoch);
    }

    @Override
    public void checkpoint() {
        store.checkpoint();
    }

    @Override
    public long size() {
        return store.size();
    }

    @Override
    public void close() {
        store.close();
    }
}
