package io.tandem.engine.hot;

import io.tandem.engine.view.CompiledView;
import io.tandem.core.StreamDef;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;
import io.tandem.engine.EngineMetrics;
import io.tandem.engine.log.EventLog;
import io.tandem.engine.store.IdempotencyRecord;
import io.tandem.engine.store.RealtimeStore;
import io.tandem.engine.store.StateKey;
import io.micrometer.core.instrument.Counter;
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
 * Nothing on the event path takes a lock; a bad record is counted, logged with its position and skipped.
 */
final class PartitionWorker implements Runnable, EventLog.RecordConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionWorker.class);
    private static final int MAX_BATCH = 16_384;
    private static final long IDLE_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final StreamDef stream;
    private final int partition;
    private final EventLog log;
    private final RealtimeStore store;
    private final Watermark watermark;
    private final CompiledView[] views;
    private final Counter[] lateAfterClose;
    private final Counter applied;
    private final Counter badRecords;
    private final EngineMetrics metrics;
    private final LongSupplier clock;
    private final HotPathListener[] listeners;
    private final BinaryRow row;
    private volatile boolean running = true;

    private final BatchDeltas[] deltas;
    private List<IdempotencyRecord> markers = new ArrayList<>();
    private long batchWatermark;
    private long batchMaxEventTime;
    private long[] batchArrivals = new long[64];
    private int batchArrivalCount;

    PartitionWorker(StreamDef stream, int partition, EventLog log, RealtimeStore store, Watermark watermark,
                    List<CompiledView> views, EngineMetrics metrics, LongSupplier clock,
                    List<HotPathListener> listeners) {
        this.stream = stream;
        this.partition = partition;
        this.log = log;
        this.store = store;
        this.watermark = watermark;
        this.views = views.toArray(CompiledView[]::new);
        this.metrics = metrics;
        this.clock = clock;
        this.listeners = listeners.toArray(HotPathListener[]::new);
        this.row = new RowCodec(stream).reader();
        this.deltas = views.stream().map(BatchDeltas::new).toArray(BatchDeltas[]::new);
        this.lateAfterClose = views.stream().map(v -> metrics.lateAfterClose(v.name())).toArray(Counter[]::new);
        this.applied = metrics.hotEvents(stream.name());
        this.badRecords = metrics.badRecords(stream.name());
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        long next = Math.max(store.committedOffset(stream.name(), partition), log.startOffset(partition));
        while (running) {
            if (next >= log.durableEnd(partition)) {
                LockSupport.parkNanos(IDLE_PARK_NANOS);
                continue;
            }
            batchWatermark = watermark.current();
            batchMaxEventTime = Long.MIN_VALUE;
            batchArrivalCount = 0;
            long from = next;
            next = log.read(partition, next, MAX_BATCH, this);
            Map<StateKey, Object[]> changes = new HashMap<>();
            for (BatchDeltas d : deltas) {
                d.drainTo(changes);
            }
            store.commit(stream.name(), partition, next, changes, markers);
            watermark.observe(batchMaxEventTime);
            for (HotPathListener l : listeners) {
                l.onCommit(stream, partition, changes.keySet(), watermark.current());
            }
            applied.increment(next - from);
            recordVisibility();
            markers = new ArrayList<>();
        }
    }

    @Override
    public void accept(long offset, byte kind, long epoch, long arrivalMs, byte[] buf, int off, int len) {
        noteArrival(arrivalMs);
        if (kind == EventLog.MARKER) {
            markers.add(IdempotencyRecord.fromBytes(buf, off, len));
            return;
        }
        try {
            row.reset(buf, off, len, arrivalMs, ((long) partition << 48) | offset);
            long t = row.eventTime();
            if (t > batchMaxEventTime) {
                batchMaxEventTime = t;
            }
            for (int i = 0; i < views.length; i++) {
                CompiledView v = views[i];
                if (!v.accepts(row)) {
                    continue;
                }
                long bucket = v.bucketOf(row);
                if (bucket + v.def().granularityMs() <= batchWatermark) {
                    lateAfterClose[i].increment();
                }
                v.add(deltas[i].accumulators(bucket, epoch, v.keyOf(row)), row);
            }
            for (HotPathListener l : listeners) {
                l.onEvent(stream, partition, row);
            }
        } catch (RuntimeException e) {
            badRecords.increment();
            LOG.warn("skipping undecodable record: stream {}, partition {}, offset {}: {}", stream.name(), partition,
                    offset, e.toString());
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
