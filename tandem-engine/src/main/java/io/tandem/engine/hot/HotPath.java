package io.tandem.engine.hot;

import io.tandem.core.StreamDef;
import io.tandem.engine.EngineMetrics;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.view.Catalog;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/** Runs one {@link PartitionWorker} thread per partition of every stream. */
public final class HotPath implements AutoCloseable {

    private final Map<String, EventLog> logs;
    private final Map<String, Watermark> watermarks = new LinkedHashMap<>();
    /** Each stream's workers, by partition. */
    private final Map<String, PartitionWorker[]> byStream = new LinkedHashMap<>();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param listeners told about every event and every committed batch, on the partitions' threads
     */
    public HotPath(Catalog catalog, Map<String, EventLog> logs, RealtimeStore store, EngineMetrics metrics,
                   LongSupplier clock, List<HotPathListener> listeners) {
        this.logs = logs;
        for (StreamDef stream : catalog.config().streams().values()) {
            Watermark wm = new Watermark(stream.latenessMs());
            watermarks.put(stream.name(), wm);
            EventLog log = logs.get(stream.name());
            PartitionWorker[] partitions = new PartitionWorker[log.partitions()];
            byStream.put(stream.name(), partitions);
            for (int p = 0; p < log.partitions(); p++) {
                PartitionWorker w = new PartitionWorker(stream, p, log, store, wm, catalog.hotViewsOf(stream.name()),
                        metrics, clock, listeners);
                partitions[p] = w;
                Thread t = new Thread(w, "hot-" + stream.name() + "-" + p);
                t.setDaemon(true);
                threads.add(t);
            }
        }
    }

    public void start() {
        threads.forEach(Thread::start);
    }

    public Watermark watermark(String stream) {
        return watermarks.get(stream);
    }

    /**
     * Durable records of one partition not yet applied by the hot path: known from its worker, without asking the
     * store (which may be a server away).
     */
    public long lag(String stream, int partition) {
        return Math.max(0, logs.get(stream).durableEnd(partition) - byStream.get(stream)[partition].committed());
    }

    /** The summed lag of a stream's partitions. */
    public long lag(String stream) {
        long lag = 0;
        for (int p = 0; p < logs.get(stream).partitions(); p++) {
            lag += lag(stream, p);
        }
        return lag;
    }

    /** The largest lag of any partition of a stream. */
    public long maxPartitionLag(String stream) {
        long max = 0;
        for (int p = 0; p < logs.get(stream).partitions(); p++) {
            max = Math.max(max, lag(stream, p));
        }
        return max;
    }

    @Override
    public void close() {
        byStream.values().forEach(partitions -> Arrays.stream(partitions).forEach(PartitionWorker::stop));
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
