package io.tandem.engine.hot;

import io.tandem.core.StreamDef;
import io.tandem.engine.EngineMetrics;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Runs one {@link PartitionWorker} thread per partition this process works: every partition of every stream
 * ({@link #start}), or those a worker group gives it ({@link #assign}, {@link #revoke}).
 *
 * <p>A hot path that <b>follows</b> writes nothing: it reads every partition as the writers in other processes
 * apply it, and tells its listeners (alerts, live rows, analyses) about each batch once the real-time store holds
 * it, so that what they read from the store includes it. A serving node follows; workers write.
 */
public final class HotPath implements AutoCloseable {

    private final Catalog catalog;
    private final Map<String, EventLog> logs;
    private final RealtimeStore store;
    private final EngineMetrics metrics;
    private final LongSupplier clock;
    private final List<HotPathListener> listeners;
    private final boolean follow;
    private final DeadLetters deadLetters;
    private final Map<String, Watermark> watermarks = new LinkedHashMap<>();
    /** Each stream's running workers, by partition; null where this process does not work the partition. */
    private final Map<String, Running[]> byStream = new LinkedHashMap<>();

    /** A worker and its thread. */
    private record Running(PartitionWorker worker, Thread thread) {
    }

    /**
     * @param listeners told about every event and every committed batch, on the partitions' threads
     * @param follow      whether to follow the writers of other processes instead of writing
     * @param deadLetters where records go that a stream's {@code on_bad_event: dead_letter} keeps
     */
    public HotPath(Catalog catalog, Map<String, EventLog> logs, RealtimeStore store, EngineMetrics metrics,
                   LongSupplier clock, List<HotPathListener> listeners, boolean follow, DeadLetters deadLetters) {
        this.catalog = catalog;
        this.logs = logs;
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
        this.listeners = List.copyOf(listeners);
        this.follow = follow;
        this.deadLetters = deadLetters;
        for (StreamDef stream : catalog.config().streams().values()) {
            watermarks.put(stream.name(), new Watermark(stream.latenessMs()));
            byStream.put(stream.name(), new Running[logs.get(stream.name()).partitions()]);
        }
    }

    /** Works every partition of every stream. */
    public void start() {
        byStream.forEach((stream, running) -> {
            for (int p = 0; p < running.length; p++) {
                assign(stream, List.of(p));
            }
        });
    }

    /** Starts working these partitions of the stream (those already worked go on). */
    public synchronized void assign(String stream, Collection<Integer> partitions) {
        StreamDef def = catalog.config().streams().get(stream);
        List<CompiledView> views = catalog.hotViewsOf(stream);
        Running[] running = byStream.get(stream);
        for (int p : partitions) {
            if (running[p] != null) {
                continue;
            }
            PartitionWorker w = new PartitionWorker(def, p, logs.get(stream), store, watermarks.get(stream), views,
                    metrics, clock, listeners, follow, deadLetters);
            Thread t = new Thread(w, (follow ? "follow-" : "hot-") + stream + "-" + p);
            t.setDaemon(true);
            running[p] = new Running(w, t);
            t.start();
        }
    }

    /** Stops working these partitions of the stream, and waits until their threads have ended. */
    public synchronized void revoke(String stream, Collection<Integer> partitions) {
        Running[] running = byStream.get(stream);
        for (int p : partitions) {
            if (running[p] != null) {
                running[p].worker().stop();
            }
        }
        for (int p : partitions) {
            if (running[p] != null) {
                join(running[p].thread());
                running[p] = null;
            }
        }
    }

    private static void join(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The partitions of the stream this process works now. */
    public synchronized List<Integer> worked(String stream) {
        Running[] running = byStream.get(stream);
        return java.util.stream.IntStream.range(0, running.length).filter(p -> running[p] != null).boxed().toList();
    }

    public Watermark watermark(String stream) {
        return watermarks.get(stream);
    }

    /**
     * Durable records of one partition not yet applied by this process's worker, known from the worker without
     * asking the store (which may be a server away); 0 for a partition this process does not work.
     */
    public long lag(String stream, int partition) {
        Running r = byStream.get(stream)[partition];
        return r == null ? 0 : Math.max(0, logs.get(stream).durableEnd(partition) - r.worker().committed());
    }

    /** Why a worker of the stream stopped, by partition, for those that did; empty while all work. */
    public Map<Integer, String> failures(String stream) {
        Running[] running = byStream.get(stream);
        Map<Integer, String> out = new java.util.TreeMap<>();
        for (int p = 0; p < running.length; p++) {
            Running r = running[p];
            if (r != null && r.worker().failure() != null) {
                out.put(p, r.worker().failure());
            }
        }
        return out;
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
        byStream.forEach((stream, running) -> revoke(stream, worked(stream)));
    }
}
