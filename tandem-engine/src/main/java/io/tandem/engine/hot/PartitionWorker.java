package io.tandem.engine.hot;

import io.micrometer.core.instrument.Counter;
import io.tandem.core.GroupKey;
import io.tandem.core.StreamDef;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;
import io.tandem.engine.EngineMetrics;
import io.tandem.engine.view.KeyInterner;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.store.IdempotencyRecord;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.store.StateKey;
import io.tandem.spi.view.CompiledView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The hot path of one partition of one stream: one thread that reads durable records from the log, folds each
 * event into the views of its stream, and commits each batch to the real-time store with the offset it reached.
 * Nothing on the event path takes a lock.
 *
 * <p>No event stops the thread. Everything about an event that may fail (decoding it, each view's filter, bucket
 * and group) is decided before any accumulator changes, so a record that fails there is skipped whole: counted in
 * {@code tandem.hot.bad.records}, logged with its stream, partition and offset. Adding to the accumulators
 * follows; measures skip nulls and do not throw, and should one throw all the same, that is caught, counted and
 * logged too. A listener that throws is counted in
 * {@code tandem.hot.listener.failures} and logged with the position; the event stays counted in the views and the
 * other listeners are still told.
 *
 * <p>Nor does the store stop it. The thread {@link RealtimeStore#acquire acquires} its shard before reading, and
 * again whenever a commit fails (the store cannot be reached, or another writer took the shard over): it waits
 * and tries again while the store is down, counts each failure in {@code tandem.hot.store.failures}, and replays
 * the log from the offset the store committed, so the views count every event once. Listeners see the events of
 * a replayed batch again.
 *
 * <p>A worker that <b>follows</b> (on a serving node) writes nothing and acquires nothing: it starts at the offset
 * the store has committed (or earlier, where a listener has yet to take in events before it: a serving node's
 * alerts after a crash), and after each batch waits until the store's writer (a worker process) has committed
 * past the batch's last record before it tells the listeners, so that the rows they read include the batch.
 */
final class PartitionWorker implements Runnable, EventLog.RecordConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionWorker.class);
    private static final int MAX_BATCH = 65_536;
    private static final long IDLE_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    private static final long RETRY_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long FOLLOW_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final StreamDef stream;
    private final int partition;
    private final EventLog log;
    private final RealtimeStore store;
    private final Watermark watermark;
    private final CompiledView[] views;
    private final Counter[] lateAfterClose;
    /** Late-after-close events of the batch being applied, per view: added to the counters once per batch. */
    private final long[] lateInBatch;
    private final Counter applied;
    private final Counter badRecords;
    private final Counter listenerFailures;
    private final Counter storeFailures;
    private final EngineMetrics metrics;
    private final LongSupplier clock;
    private final HotPathListener[] listeners;
    private final boolean follow;
    private final DeadLetters deadLetters;
    private final BinaryRow row;
    private final boolean[] accepted;
    private final long[] buckets;
    private final GroupKey[] keys;
    private final KeyInterner[] interners;
    private boolean stackLogged;
    private volatile boolean running = true;
    /** The next offset this worker must apply: the last it committed (or replays from), for the lag. */
    private volatile long committed;
    private volatile String failure;
    /** The offset of the last record read, or -1. */
    private long lastRecord = -1;
    /** A follower's: whether the last read of the store's committed offset failed. */
    private boolean storeUnreadable;

    private final BatchDeltas[] deltas;
    private List<IdempotencyRecord> markers = new ArrayList<>();
    private long batchWatermark;
    private long batchMaxEventTime;
    private long[] batchArrivals = new long[64];
    private int batchArrivalCount;

    PartitionWorker(StreamDef stream, int partition, EventLog log, RealtimeStore store, Watermark watermark,
                    List<CompiledView> views, EngineMetrics metrics, LongSupplier clock,
                    List<HotPathListener> listeners, boolean follow, DeadLetters deadLetters) {
        this.stream = stream;
        this.partition = partition;
        this.log = log;
        this.store = store;
        this.watermark = watermark;
        this.views = views.toArray(CompiledView[]::new);
        this.metrics = metrics;
        this.clock = clock;
        this.listeners = listeners.toArray(HotPathListener[]::new);
        this.follow = follow;
        this.deadLetters = deadLetters;
        this.row = new RowCodec(stream).reader();
        this.deltas = views.stream().map(BatchDeltas::new).toArray(BatchDeltas[]::new);
        this.lateAfterClose = views.stream().map(v -> metrics.lateAfterClose(v.name())).toArray(Counter[]::new);
        this.applied = metrics.hotEvents(stream.name());
        this.badRecords = metrics.badRecords(stream.name());
        this.listenerFailures = metrics.listenerFailures(stream.name());
        this.storeFailures = metrics.storeFailures(stream.name());
        this.accepted = new boolean[this.views.length];
        this.lateInBatch = new long[this.views.length];
        this.buckets = new long[this.views.length];
        this.keys = new GroupKey[this.views.length];
        this.interners = views.stream().map(KeyInterner::new).toArray(KeyInterner[]::new);
    }

    void stop() {
        running = false;
    }

    /** The next offset to apply, as of the last commit or acquire; 0 before the first. */
    long committed() {
        return committed;
    }

    /** Why this worker stopped working its partition, or null while it works (or was stopped). */
    String failure() {
        return failure;
    }

    /**
     * Works the partition until stopped. Should anything escape the handling above (an {@link Error}, a bug), the
     * worker stops, says why in {@link #failure} (which {@code /v1/status} shows and ingest answers 503 with) and
     * logs it once; what it had applied but not committed is replayed by whichever worker takes the partition.
     */
    @Override
    public void run() {
        try {
            work();
        } catch (Throwable t) {
            failure = t.toString();
            LOG.error("the hot path of stream {}, partition {} stopped; its events are not applied until the process "
                    + "restarts", stream.name(), partition, t);
        }
    }

    private void work() {
        long next = follow ? followFrom() : acquire();
        while (running) {
            if (next >= log.durableEnd(partition)) {
                LockSupport.parkNanos(IDLE_PARK_NANOS);
                continue;
            }
            batchWatermark = watermark.current();
            batchMaxEventTime = Long.MIN_VALUE;
            batchArrivalCount = 0;
            long from = next;
            long lastBefore = lastRecord;
            next = log.read(partition, next, MAX_BATCH, this);
            for (int i = 0; i < lateInBatch.length; i++) {
                if (lateInBatch[i] > 0) {
                    lateAfterClose[i].increment(lateInBatch[i]);
                    lateInBatch[i] = 0;
                }
            }
            Map<StateKey, Object[]> changes = new HashMap<>();
            for (BatchDeltas d : deltas) {
                d.drainTo(changes);
            }
            if (follow) {
                if (lastRecord != lastBefore && !awaitStore(lastRecord + 1)) {
                    return;
                }
            } else {
                try {
                    store.commit(stream.name(), partition, next, changes, markers);
                } catch (RuntimeException e) {
                    storeFailures.increment();
                    LOG.warn("the commit of stream {}, partition {}, offsets {} to {} failed ({}); acquiring the "
                            + "shard again and replaying from its committed offset", stream.name(), partition, from,
                            next - 1, e.toString());
                    markers = new ArrayList<>();
                    next = acquire();
                    continue;
                }
            }
            committed = next;
            watermark.observe(batchMaxEventTime);
            for (HotPathListener l : listeners) {
                try {
                    l.onCommit(stream, partition, changes.keySet(), watermark.current());
                    l.onApplied(stream, partition, next);
                } catch (RuntimeException e) {
                    listenerFailed("the commit of offsets " + from + " to " + (next - 1), e);
                }
            }
            applied.increment(next - from);
            recordVisibility();
            markers = new ArrayList<>();
        }
    }

    /**
     * Where a follower starts: the offset the store has committed, once the store answers, or the earlier offset a
     * listener has yet to take in ({@link HotPathListener#resumeAt}); the listeners are told they start there, so
     * that a partition without new events keeps its place too.
     */
    private long followFrom() {
        while (running) {
            long inStore = storeCommitted();
            if (inStore >= 0) {
                long from = inStore;
                for (HotPathListener l : listeners) {
                    from = Math.min(from, l.resumeAt(stream.name(), partition));
                }
                committed = Math.max(from, log.startOffset(partition));
                for (HotPathListener l : listeners) {
                    try {
                        l.onApplied(stream, partition, committed);
                    } catch (RuntimeException e) {
                        listenerFailed("the start at offset " + committed, e);
                    }
                }
                return committed;
            }
            LockSupport.parkNanos(RETRY_PARK_NANOS);
        }
        return Long.MAX_VALUE;
    }

    /** Waits until the store's writer has committed through {@code offset}; false when stopped first. */
    private boolean awaitStore(long offset) {
        while (running) {
            if (storeCommitted() >= offset) {
                return true;
            }
            LockSupport.parkNanos(FOLLOW_PARK_NANOS);
        }
        return false;
    }

    /** The offset the store committed for this partition; -1 while it cannot be read (counted, logged once). */
    private long storeCommitted() {
        try {
            long inStore = store.committedOffset(stream.name(), partition);
            storeUnreadable = false;
            return inStore;
        } catch (RuntimeException e) {
            storeFailures.increment();
            if (!storeUnreadable) {
                LOG.warn("stream {}, partition {}: cannot read the committed offset from the real-time store ({}); "
                        + "trying again", stream.name(), partition, e.toString());
            }
            storeUnreadable = true;
            return -1;
        }
    }

    /**
     * Becomes the shard's writer and returns the offset to read from (which {@link #committed} then tells), trying
     * again every {@link #RETRY_PARK_NANOS} while the store cannot be reached (or until {@link #stop}).
     */
    private long acquire() {
        boolean failed = false;
        while (true) {
            try {
                long next = Math.max(store.acquire(stream.name(), partition), log.startOffset(partition));
                committed = next;
                if (failed) {
                    LOG.info("stream {}, partition {}: the store answers again; replaying from offset {}",
                            stream.name(), partition, next);
                }
                return next;
            } catch (RuntimeException e) {
                storeFailures.increment();
                if (!failed) {
                    LOG.warn("stream {}, partition {}: cannot acquire the shard in the real-time store ({}); "
                            + "trying again", stream.name(), partition, e.toString());
                }
                failed = true;
                if (!running) {
                    return Long.MAX_VALUE;
                }
                LockSupport.parkNanos(RETRY_PARK_NANOS);
            }
        }
    }

    @Override
    public void accept(long offset, byte kind, long epoch, long arrivalMs, byte[] buf, int off, int len) {
        noteArrival(arrivalMs);
        lastRecord = offset;
        if (kind == EventLog.MARKER) {
            if (!follow) {
                markers.add(IdempotencyRecord.fromBytes(buf, off, len));
            }
            return;
        }
        try {
            row.reset(buf, off, len, arrivalMs, ((long) partition << 48) | offset);
            for (int i = 0; i < views.length; i++) {
                CompiledView v = views[i];
                accepted[i] = v.accepts(row);
                if (accepted[i]) {
                    buckets[i] = v.bucketOf(row);
                    keys[i] = interners[i].keyOf(row);
                }
            }
        } catch (RuntimeException e) {
            badRecords.increment();
            LOG.warn("a record the hot path cannot read or place: stream {}, partition {}, offset {}: {} ({})",
                    stream.name(), partition, offset, e.toString(), stream.onBadEvent().configName());
            badRecord(offset, arrivalMs, buf, off, len, e.toString());
            return;
        }
        long t = row.eventTime();
        if (t > batchMaxEventTime) {
            batchMaxEventTime = t;
        }
        int i = 0;
        try {
            for (; i < views.length; i++) {
                if (accepted[i]) {
                    CompiledView v = views[i];
                    if (buckets[i] + v.def().granularityMs() <= batchWatermark) {
                        lateInBatch[i]++;
                    }
                    v.add(deltas[i].accumulators(buckets[i], epoch, keys[i]), row);
                }
            }
        } catch (RuntimeException e) {
            badRecords.increment();
            LOG.error("a measure failed on stream {}, partition {}, offset {} in view {}; the event may count in the "
                    + "views before it only", stream.name(), partition, offset, views[i].name(), e);
            badRecord(offset, arrivalMs, buf, off, len, "view " + views[i].name() + ": " + e);
        }
        for (HotPathListener l : listeners) {
            try {
                l.onEvent(stream, partition, row);
            } catch (RuntimeException e) {
                listenerFailed("offset " + offset, e);
            }
        }
    }

    /** Does what the stream's {@code on_bad_event} says with a record the hot path could not take. */
    private void badRecord(long offset, long arrivalMs, byte[] buf, int off, int len, String reason) {
        switch (stream.onBadEvent()) {
            case SKIP -> { }
            case DEAD_LETTER -> deadLetters.add(stream.name(), partition, offset, arrivalMs, reason, buf, off, len);
            case FAIL -> throw new IllegalStateException("on_bad_event: fail: stream " + stream.name()
                    + ", partition " + partition + ", offset " + offset + ": " + reason);
        }
    }

    /** Counts and logs a listener's exception, with the stack trace the first time only. */
    private void listenerFailed(String where, RuntimeException e) {
        listenerFailures.increment();
        if (stackLogged) {
            LOG.warn("a hot-path listener failed on stream {}, partition {}, {}: {}", stream.name(), partition, where,
                    e.toString());
        } else {
            stackLogged = true;
            LOG.warn("a hot-path listener failed on stream {}, partition {}, {}", stream.name(), partition, where, e);
        }
    }

    private void noteArrival(long arrivalMs) {
        if (batchArrivalCount > 0 && batchArrivals[batchArrivalCount - 1] == arrivalMs) {
            return;
        }
        if (batchArrivalCount == batchArrivals.length) {
            batchArrivals = java.util.Arrays.copyOf(batchArrivals, batchArrivalCount * 2);
        }
        batchArrivals[batchArrivalCount++] = arrivalMs;
    }

    /** Records ingest-to-visible latency once per distinct arrival millisecond of the batch just committed. */
    private void recordVisibility() {
        long now = clock.getAsLong();
        for (int i = 0; i < batchArrivalCount; i++) {
            metrics.ingestToVisible().record(Math.max(0, now - batchArrivals[i]), TimeUnit.MILLISECONDS);
        }
    }
}
