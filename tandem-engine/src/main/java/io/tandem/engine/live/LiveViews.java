package io.tandem.engine.live;

import io.tandem.core.GroupKey;
import io.tandem.core.StreamDef;
import io.tandem.core.plan.WorkloadKind;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.feed.Feed;
import io.tandem.engine.hot.HotPathListener;
import io.tandem.engine.query.QueryException;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import io.tandem.spi.store.StateKey;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Live views: the rows the hot path changes, pushed to subscribers, at most once per row per flush.
 *
 * <p>On the hot path's partition threads, {@link #onCommit} only notes which (view, dims, bucket) rows a batch
 * changed, in a concurrent set: it never blocks and never reads a row. A flusher thread, every
 * {@link Options#intervalMs()} (100 ms), takes the noted rows, gives each the next id of one increasing sequence,
 * keeps the last {@link Options#bufferSize()} (view, dims, bucket, id) changes in a ring for resumption, reads each
 * row that a subscriber follows once (the merged row, batch ⊕ real time, as a query answers it) and offers it to
 * every subscriber whose filter matches. However often a row changes within one interval, it is sent once, with
 * its value at the flush.
 *
 * <p><b>Ids.</b> The sequence starts at the process's start time in milliseconds × 1000, so ids keep increasing
 * across restarts and an id from an earlier run is never mistaken for one of this run.
 *
 * <p><b>Resume.</b> A subscriber that gives the last id it received gets, before anything new, the current value
 * of every matching row that changed after that id, once each, in the order of their last change. When the id is
 * older than the ring (or not of this run), it gets the current rows of the view's {@link Options#snapshotBuckets()}
 * most recent buckets instead, each with the latest id, and {@link Feed#resumeNote()} says so.
 *
 * <p><b>Slow subscribers.</b> Each subscriber's {@link Feed} holds at most {@link Options#queueCapacity()}
 * updates besides what it resumed with; one more and the feed ends as overflowed, and the subscriber reconnects
 * with its last id.
 */
public final class LiveViews implements HotPathListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveViews.class);

    /**
     * @param intervalMs      how often the flusher sends what changed; a row is sent at most once per interval
     * @param bufferSize      how many row changes are kept for subscribers that resume with their last id
     * @param queueCapacity   how many updates a subscriber may be behind before it is dropped
     * @param snapshotBuckets how many recent buckets a subscriber gets when it cannot resume exactly
     */
    public record Options(long intervalMs, int bufferSize, int queueCapacity, int snapshotBuckets) {

        public static Options defaults() {
            return new Options(100, 50_000, 10_000, 60);
        }
    }

    /** One subscriber's filter and feed. */
    private record Subscriber(LiveFilter filter, Feed<LiveRow> feed) {
    }

    /** Reads the merged row of one (dims, bucket) of a view at its own granularity, or null when it has none. */
    @FunctionalInterface
    public interface RowReader {
        QueryResult.Row row(String view, GroupKey dims, long bucket);
    }

    private final Catalog catalog;
    private final RowReader rows;
    private final Function<ViewQuery, QueryResult> query;
    private final LongSupplier clock;
    private final Options options;
    private final Set<RowKey> changed = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private final Map<String, List<Subscriber>> subscribers = new ConcurrentHashMap<>();
    private final Map<String, Long> latestBucket = new ConcurrentHashMap<>();
    private final RowKey[] ring;
    private final long firstId;
    private final AtomicLong dropped = new AtomicLong();
    private final ScheduledExecutorService flusher;
    private long lastId;

    /**
     * Starts the flusher thread.
     *
     * @param rows  reads one merged row (the query service's {@code row})
     * @param query answers a merged-view query (the query service's {@code query}), for subscribers that cannot
     *              resume exactly
     * @param clock wall-clock milliseconds: the first id, and the recent buckets of a view nothing changed in yet
     */
    public LiveViews(Catalog catalog, RowReader rows, Function<ViewQuery, QueryResult> query, LongSupplier clock,
                     Options options) {
        this.catalog = catalog;
        this.rows = rows;
        this.query = query;
        this.clock = clock;
        this.options = options;
        this.ring = new RowKey[options.bufferSize()];
        this.firstId = Math.max(1, clock.getAsLong() * 1000);
        this.lastId = firstId - 1;
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tandem-live");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleAtFixedRate(this::flushQuietly, options.intervalMs(), options.intervalMs(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void onCommit(StreamDef stream, int partition, Set<StateKey> changedKeys, long watermark) {
        for (StateKey k : changedKeys) {
            changed.add(new RowKey(k.view(), k.dims(), k.bucket()));
        }
    }

    /**
     * Checks a subscription's view and dimension values.
     *
     * @param dims dimension name → value as text; the dimensions not given match any value
     * @throws QueryException 404 for an unknown view, 400 for a view on the cold path only, for an unknown dimension
     *                        or a value of the wrong type
     */
    public LiveFilter filter(String view, Map<String, String> dims) {
        CompiledView v = catalog.view(view);
        if (v == null) {
            throw QueryException.notFound("unknown view '" + view + "' (views: "
                    + String.join(", ", catalog.views().keySet()) + ")");
        }
        if (!catalog.isHot(view)) {
            throw QueryException.badRequest("view '" + view + "' runs on the cold path only ("
                    + catalog.plan().decision(WorkloadKind.VIEW, view).orElseThrow().rule()
                    + "): it has no live rows; query it instead, or give it a real-time need");
        }
        return LiveFilter.of(v, dims);
    }

    /**
     * Subscribes to the rows that match a filter from the next flush on.
     *
     * @param lastEventId the last id the subscriber received before, or null for a new subscriber
     */
    public Feed<LiveRow> subscribe(LiveFilter filter, Long lastEventId) {
        synchronized (lock) {
            List<LiveRow> backlog = List.of();
            String note = null;
            if (lastEventId != null) {
                long oldest = Math.max(firstId, lastId - ring.length + 1);
                if (lastEventId >= oldest - 1 && lastEventId <= lastId) {
                    backlog = replay(filter, lastEventId);
                } else {
                    backlog = snapshot(filter);
                    note = "Last-Event-ID " + lastEventId + " is not among the row changes kept ("
                            + (oldest > lastId ? "none yet" : "ids " + oldest + " to " + lastId)
                            + "): starting with the current rows of the last " + options.snapshotBuckets()
                            + " buckets (" + backlog.size() + " rows)";
                }
            }
            List<Subscriber> subs = subscribers.computeIfAbsent(filter.view(), v -> new CopyOnWriteArrayList<>());
            Feed<LiveRow> feed = new Feed<>(options.queueCapacity(), backlog, note, f -> closed(subs, filter, f));
            subs.add(new Subscriber(filter, feed));
            return feed;
        }
    }

    /** The subscriptions open now. */
    public int subscriberCount() {
        return subscribers.values().stream().mapToInt(List::size).sum();
    }

    /** The subscriptions dropped for falling behind since start. */
    public long droppedCount() {
        return dropped.get();
    }

    /** The id of the latest row change (the first id minus one before any). */
    public long lastId() {
        synchronized (lock) {
            return lastId;
        }
    }

    /** Sends what changed since the last flush; the flusher thread calls it every interval. */
    public void flush() {
        List<RowKey> keys = new ArrayList<>();
        for (Iterator<RowKey> it = changed.iterator(); it.hasNext(); ) {
            keys.add(it.next());
            it.remove();
        }
        if (keys.isEmpty()) {
            return;
        }
        keys.sort(null);
        synchronized (lock) {
            for (RowKey key : keys) {
                long id = ++lastId;
                ring[(int) Math.floorMod(id, (long) ring.length)] = key;
                latestBucket.merge(key.view(), key.bucket(), Math::max);
                publish(id, key);
            }
        }
    }

    private void publish(long id, RowKey key) {
        List<Subscriber> subs = subscribers.get(key.view());
        if (subs == null) {
            return;
        }
        LiveRow row = null;
        for (Subscriber s : subs) {
            if (!s.filter().matches(key)) {
                continue;
            }
            if (row == null) {
                QueryResult.Row r = rows.row(key.view(), key.dims(), key.bucket());
                if (r == null) {
                    return;
                }
                row = new LiveRow(id, key.view(), r);
            }
            s.feed().overflowsOn(row);
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.error("live view flush failed; the next one retries", e);
        }
    }

    /** The current value of each matching row changed after {@code after}, once, in the order of its last change. */
    private List<LiveRow> replay(LiveFilter filter, long after) {
        Map<RowKey, Long> latest = new HashMap<>();
        for (long id = after + 1; id <= lastId; id++) {
            RowKey key = ring[(int) Math.floorMod(id, (long) ring.length)];
            if (filter.matches(key)) {
                latest.put(key, id);
            }
        }
        List<LiveRow> backlog = new ArrayList<>();
        latest.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> {
            QueryResult.Row r = rows.row(e.getKey().view(), e.getKey().dims(), e.getKey().bucket());
            if (r != null) {
                backlog.add(new LiveRow(e.getValue(), e.getKey().view(), r));
            }
        });
        return backlog;
    }

    /** The current rows of the view's recent buckets, each with the latest id. */
    private List<LiveRow> snapshot(LiveFilter filter) {
        long g = catalog.view(filter.view()).def().granularityMs();
        long newest = latestBucket.getOrDefault(filter.view(), Timestamps.bucketStart(clock.getAsLong(), g));
        long to = newest + g;
        QueryResult result = query.apply(new ViewQuery(filter.view(), to - options.snapshotBuckets() * g, to, 0,
                filter.dims()));
        return result.rows().stream().map(r -> new LiveRow(lastId, filter.view(), r)).toList();
    }

    private void closed(List<Subscriber> subs, LiveFilter filter, Feed<LiveRow> feed) {
        subs.removeIf(s -> s.feed() == feed);
        if (feed.overflowed()) {
            dropped.incrementAndGet();
            LOG.info("live subscriber of {} dropped: it fell {} row updates behind", filter, feed.capacity());
        }
    }

    @Override
    public void close() {
        flusher.shutdownNow();
        try {
            flusher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        subscribers.values().forEach(subs -> subs.forEach(s -> s.feed().close()));
    }
}
