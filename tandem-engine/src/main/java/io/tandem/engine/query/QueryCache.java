package io.tandem.engine.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tandem.core.GroupKey;
import io.tandem.core.QueryCacheDef;
import io.tandem.spi.batch.BatchVersion;
import io.tandem.engine.store.ForwardingRealtimeStore;
import io.tandem.spi.store.IdempotencyRecord;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.store.StateKey;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Merged-view query results, cached in front of {@link QueryService} (Caffeine, bounded by the estimated bytes of
 * the cached results), invalidated in real time by the hot path's commits and warmed after each batch publish.
 *
 * <p><b>What an entry is.</b> A query is cached under its shape (view, granularity, the bucket range
 * {@link BucketRange} reads, the dimension values asked for) and the batch version it merged with. A hit returns
 * the very {@link QueryResult} the uncached query computed; no field of a result depends on the time it was asked
 * at, so a hit answers exactly what {@link QueryService#query} would answer at that moment. (A field that did, such
 * as how stale an answer is at the time it is asked, would have to be recomputed on each hit.)
 *
 * <p><b>What invalidates an entry.</b>
 * <ul>
 *   <li>A hot-path commit that changes a (view, dims, bucket, epoch) removes exactly the entries of that view whose
 *       bucket range holds the bucket, whose dimension filter accepts the dims, and whose batch version's boundary
 *       lies before the epoch (a query ignores real-time entries of epochs the batch covers). Entries are indexed
 *       by view, so a commit looks only at its views' entries.</li>
 *   <li>A batch publish: lookups use the current version, so entries of older versions are never hit again; they
 *       are dropped at the publish.</li>
 * </ul>
 *
 * <p><b>Never a stale answer.</b> The hot path commits through {@link #guard}, a {@link RealtimeStore} that
 * brackets each commit. Per view, under the view's lock, a commit first <em>begins</em>: it removes the entries it
 * covers, spoils every registered query it covers (below) and is listed as in flight with its keys; then the
 * store applies it (this is when it becomes visible, offsets included); then it <em>ends</em> and leaves the
 * in-flight list. A query that misses registers with its view, under the same lock, before it computes: when a
 * commit in flight covers it, it is answered but not cached; otherwise it is listed as pending. Its result is
 * cached, under the lock, only if no commit covering it began since it registered (it is not spoiled) and the
 * batch version it merged with is still the current one. So, for any commit C and query Q that C covers:
 * <ul>
 *   <li>C ended before Q registered: Q read the state after C;</li>
 *   <li>C was in flight when Q registered: Q is not cached, so no entry holding an answer from before C can
 *       appear while C becomes visible;</li>
 *   <li>C began after Q registered: Q is spoiled and not cached, and what was cached before C began is removed
 *       when it begins, before C is visible.</li>
 * </ul>
 * Hence once a commit is visible (a reader saw its offset), no entry it covers holds an answer from before it.
 * A commit that does not cover a query changes nothing it reads, so it neither removes nor spoils it: entries for
 * yesterday stay while today's buckets change. Listening to {@code HotPathListener.onCommit} would not do:
 * listeners run after the commit is visible, leaving a moment where a hit could still return the answer from
 * before it. (While a query is pending its batch boundary is not known yet, so a commit spoils it whatever the
 * epoch: at worst a result is not cached.)
 *
 * <p><b>Warming.</b> Every query asked is counted (by shape, for a bounded set of the most asked); after a publish
 * the {@code warm} most asked shapes are recomputed against the new version before anyone asks for them, and the
 * counts are halved so that the ranking follows what is asked now.
 *
 * <p>Meters: {@code tandem.query.cache.hits}, {@code .misses}, {@code .evictions}, {@code .invalidations},
 * {@code .warmed}, {@code .entries}, {@code .weighted.size} (bytes), {@code .hit.ratio}, and the timer
 * {@code tandem.query.cache.warmup.duration}.
 */
public final class QueryCache {

    private static final Logger LOG = LoggerFactory.getLogger(QueryCache.class);

    private final QueryCacheDef def;
    private final Catalog catalog;
    private final QueryService service;
    private final LongSupplier currentVersion;
    private final LongSupplier clock;
    private final Cache<Key, Entry> cache;
    private final Cache<Shape, AtomicLong> uses;
    private final Map<String, ViewEntries> views = new HashMap<>();
    private final Counter hits;
    private final Counter misses;
    private final Counter evictions;
    private final Counter invalidations;
    private final Counter warmed;
    private final Timer warmup;
    private volatile Warm lastWarm;

    /**
     * @param currentVersion the batch version queries merge with now
     * @param clock          wall-clock milliseconds, for the time of the last warm-up
     */
    public QueryCache(QueryCacheDef def, Catalog catalog, QueryService service, LongSupplier currentVersion,
                      LongSupplier clock, MeterRegistry meters) {
        this.def = def;
        this.catalog = catalog;
        this.service = service;
        this.currentVersion = currentVersion;
        this.clock = clock;
        catalog.views().keySet().forEach(v -> views.put(v, new ViewEntries()));
        this.evictions = Counter.builder("tandem.query.cache.evictions")
                .description("Query cache entries evicted to stay within query_cache.max_bytes").register(meters);
        // maintenance runs on the threads that use the cache: evictions are done when the call that caused them
        // returns, and nothing runs on a shared pool
        this.cache = Caffeine.newBuilder()
                .maximumWeight(def.maxBytes())
                .weigher((Key k, Entry e) -> e.weight)
                .executor(Runnable::run)
                .evictionListener((Key k, Entry e, RemovalCause cause) -> {
                    if (k != null && e != null) {
                        views.get(k.shape.view).entries.remove(k, e);
                        evictions.increment();
                    }
                })
                .build();
        this.uses = Caffeine.newBuilder().maximumSize(Math.max(1_024, 4L * def.warm())).executor(Runnable::run)
                .build();
        this.hits = Counter.builder("tandem.query.cache.hits")
                .description("Merged-view queries answered from the query cache").register(meters);
        this.misses = Counter.builder("tandem.query.cache.misses")
                .description("Merged-view queries the query cache did not hold, computed").register(meters);
        this.invalidations = Counter.builder("tandem.query.cache.invalidations")
                .description("Query cache entries removed because a hot-path commit changed a bucket they cover")
                .register(meters);
        Gauge.builder("tandem.query.cache.entries", cache, Cache::estimatedSize)
                .description("Results held by the query cache").register(meters);
        Gauge.builder("tandem.query.cache.weighted.size", this, QueryCache::weightedBytes).baseUnit("bytes")
                .description("Estimated bytes of the results held by the query cache (bound: query_cache.max_bytes)")
                .register(meters);
        Gauge.builder("tandem.query.cache.hit.ratio", this, c -> c.stats().hitRatio())
                .description("Hits over hits and misses of the query cache since start; NaN before any query")
                .register(meters);
        this.warmed = Counter.builder("tandem.query.cache.warmed")
                .description("Queries recomputed by the warm-ups after batch publishes").register(meters);
        this.warmup = Timer.builder("tandem.query.cache.warmup.duration")
                .description("Time to recompute the most asked queries after a batch publish").register(meters);
    }

    /** The answer of {@link QueryService#query}, from the cache when it holds it. */
    public QueryResult query(ViewQuery q) {
        if (!def.enabled()) {
            return service.query(q);
        }
        Shape shape = shape(q);
        if (shape == null) {
            // not a query the service answers: let it say why
            return service.query(q);
        }
        Entry e = cache.getIfPresent(new Key(shape, currentVersion.getAsLong()));
        if (e != null) {
            hits.increment();
            used(shape);
            return e.result;
        }
        DimensionFilter filter = filter(shape);
        if (filter == null) {
            return service.query(q);
        }
        misses.increment();
        QueryResult r = compute(shape, filter, q);
        used(shape);
        return r;
    }

    /** The same query answered without the cache, as if it were off (comparisons, benchmarks). */
    public QueryResult uncached(ViewQuery q) {
        return service.query(q);
    }

    private void used(Shape shape) {
        uses.get(shape, s -> new AtomicLong()).incrementAndGet();
    }

    /** Computes a query and caches the result unless a commit covering it got in the way (see the class doc). */
    private QueryResult compute(Shape shape, DimensionFilter filter, ViewQuery q) {
        ViewEntries view = views.get(shape.view);
        Pending pending = view.register(new Coverage(shape.range, filter, Long.MIN_VALUE));
        QueryResult r;
        try {
            r = service.query(q);
        } catch (RuntimeException ex) {
            view.abandon(pending);
            throw ex;
        }
        Long boundary = r.boundary().epoch();
        Coverage coverage = new Coverage(shape.range, filter, boundary == null ? Long.MIN_VALUE : boundary);
        view.insert(pending, new Key(shape, r.boundary().version()), new Entry(r, coverage, weigh(r)));
        return r;
    }

    /**
     * The real-time store the hot path must commit through: each commit invalidates the entries it covers, and no
     * entry from before it can be cached once it is visible. The store itself when the cache is off.
     */
    public RealtimeStore guard(RealtimeStore store) {
        return def.enabled() ? new InvalidatingStore(store) : store;
    }

    /**
     * After a batch publish: drops the entries of older versions, then recomputes the {@code warm} most asked
     * queries against the new version. Never throws: a query that fails to warm is logged and left out.
     */
    public void published(BatchVersion version) {
        if (!def.enabled()) {
            return;
        }
        views.values().forEach(v -> v.dropBefore(version.version()));
        if (def.warm() == 0) {
            return;
        }
        long t0 = System.nanoTime();
        List<Shape> top = uses.asMap().entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<Shape, AtomicLong> e) -> e.getValue().get()).reversed())
                .limit(def.warm()).map(Map.Entry::getKey).toList();
        uses.asMap().values().forEach(c -> c.updateAndGet(n -> n / 2));
        int recomputed = 0;
        for (Shape s : top) {
            DimensionFilter filter = filter(s);
            if (filter == null || cache.getIfPresent(new Key(s, version.version())) != null) {
                continue;
            }
            try {
                compute(s, filter, s.toQuery());
                recomputed++;
            } catch (RuntimeException e) {
                LOG.warn("could not warm the query cache with {}: {}", s, e.toString());
            }
        }
        long nanos = System.nanoTime() - t0;
        warmup.record(nanos, TimeUnit.NANOSECONDS);
        warmed.increment(recomputed);
        lastWarm = new Warm(version.version(), recomputed, nanos / 1e6, clock.getAsLong());
    }

    /** What the cache holds and has done since start. */
    public Stats stats() {
        return new Stats(def.enabled(), (long) hits.count(), (long) misses.count(), (long) evictions.count(),
                (long) invalidations.count(), cache.estimatedSize(), weightedBytes(), def.maxBytes(), lastWarm);
    }

    private long weightedBytes() {
        return cache.policy().eviction().map(p -> p.weightedSize().orElse(0)).orElse(0L);
    }

    /**
     * @param hitRatio hits over hits and misses, NaN before any query
     * @param lastWarm the latest warm-up, or null before the first publish
     */
    public record Stats(boolean enabled, long hits, long misses, long evictions, long invalidations, long entries,
                        long weightedBytes, long maxBytes, Warm lastWarm) {
        public double hitRatio() {
            return hits + misses == 0 ? Double.NaN : (double) hits / (hits + misses);
        }
    }

    /** One warm-up: the version it warmed for, the queries recomputed, how long it took and when it ended. */
    public record Warm(long version, int queries, double elapsedMs, long atMs) {
    }

    /** The shape of a valid query, or null when the service would refuse it (it then says why). */
    private Shape shape(ViewQuery q) {
        CompiledView view = catalog.view(q.view());
        if (view == null) {
            return null;
        }
        long viewGranularity = view.def().granularityMs();
        long g = q.granularityMs() == 0 ? viewGranularity : q.granularityMs();
        if (g <= 0 || g % viewGranularity != 0 || q.toMs() <= q.fromMs()) {
            return null;
        }
        BucketRange range = BucketRange.of(q.fromMs(), q.toMs(), g);
        return new Shape(view.name(), g, range, q.dimensions());
    }

    /** The dimension filter of a shape, or null when the service would refuse its dimensions. */
    private DimensionFilter filter(Shape shape) {
        try {
            return DimensionFilter.parse(catalog.view(shape.view), shape.dims, "");
        } catch (QueryException e) {
            return null;
        }
    }

    /**
     * A query as the service reads it: the same shape gives the same answer.
     *
     * @param granularityMs the granularity of the answer (never 0)
     */
    record Shape(String view, long granularityMs, BucketRange range, Map<String, String> dims) {
        ViewQuery toQuery() {
            return new ViewQuery(view, range.from(), range.to(), granularityMs, dims);
        }
    }

    /** A cached answer's key: its shape, and the batch version it merged with. */
    record Key(Shape shape, long version) {
    }

    /** The (view, dims, bucket, epoch) entries whose change changes a cached answer. */
    private static final class Coverage {
        final BucketRange range;
        final DimensionFilter dims;
        /** The one group asked for when the filter names every dimension, or null. */
        final GroupKey exact;
        final long boundaryEpoch;

        Coverage(BucketRange range, DimensionFilter dims, long boundaryEpoch) {
            this.range = range;
            this.dims = dims;
            this.exact = dims.exactKey();
            this.boundaryEpoch = boundaryEpoch;
        }

        boolean covers(StateKey k) {
            return range.contains(k.bucket()) && k.epoch() > boundaryEpoch && dims.matches(k.dims());
        }

        /** Whether any key of a commit is covered: by its bucket span first, then by group when one is asked. */
        boolean coversAny(Changes c) {
            if (c.maxBucket < range.from() || c.minBucket >= range.to()) {
                return false;
            }
            for (StateKey k : exact == null ? c.keys : c.ofGroup(exact)) {
                if (covers(k)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The keys one commit changes in one view, with their bucket span and, built when first asked, by group. */
    private static final class Changes {
        final List<StateKey> keys = new ArrayList<>();
        long minBucket = Long.MAX_VALUE;
        long maxBucket = Long.MIN_VALUE;
        private Map<GroupKey, List<StateKey>> byGroup;

        void add(StateKey k) {
            keys.add(k);
            minBucket = Math.min(minBucket, k.bucket());
            maxBucket = Math.max(maxBucket, k.bucket());
        }

        List<StateKey> ofGroup(GroupKey dims) {
            if (byGroup == null) {
                byGroup = new HashMap<>();
                for (StateKey k : keys) {
                    byGroup.computeIfAbsent(k.dims(), d -> new ArrayList<>(1)).add(k);
                }
            }
            return byGroup.getOrDefault(dims, List.of());
        }
    }

    /** A cached result; compared by identity, so that an index entry is removed only with its own result. */
    private static final class Entry {
        final QueryResult result;
        final Coverage coverage;
        final int weight;

        Entry(QueryResult result, Coverage coverage, int weight) {
            this.result = result;
            this.coverage = coverage;
            this.weight = weight;
        }
    }

    /** A query computing with the intent to cache its result; spoiled by a commit that covers it. */
    private static final class Pending {
        final Coverage coverage;
        boolean spoiled;

        Pending(Coverage coverage) {
            this.coverage = coverage;
        }
    }

    /** One view's cached entries, its pending queries and its commits in flight; see the class doc. */
    private final class ViewEntries {
        /** Also changed by evictions, outside the lock. */
        final Map<Key, Entry> entries = new ConcurrentHashMap<>();
        private final List<Pending> pending = new ArrayList<>();
        private final List<Changes> inFlight = new ArrayList<>();

        /** A pending query, or null when a commit in flight covers it (its result will not be cached). */
        synchronized Pending register(Coverage coverage) {
            for (Changes c : inFlight) {
                if (coverage.coversAny(c)) {
                    return null;
                }
            }
            Pending p = new Pending(coverage);
            pending.add(p);
            return p;
        }

        synchronized void abandon(Pending p) {
            if (p != null) {
                pending.remove(p);
            }
        }

        synchronized void insert(Pending p, Key key, Entry e) {
            if (p == null) {
                return;
            }
            pending.remove(p);
            if (p.spoiled || key.version != currentVersion.getAsLong()) {
                return;
            }
            // indexed first: an entry too heavy to keep is evicted by the put, and its eviction unindexes it
            entries.put(key, e);
            cache.put(key, e);
        }

        /** Before a commit of these keys is applied. */
        synchronized void begin(Changes changed) {
            inFlight.add(changed);
            for (Pending p : pending) {
                p.spoiled |= p.coverage.coversAny(changed);
            }
            entries.forEach((k, e) -> {
                if (e.coverage.coversAny(changed)) {
                    remove(k, e);
                    invalidations.increment();
                }
            });
        }

        /** After the commit is applied (visible). */
        synchronized void end(Changes changed) {
            for (int i = 0; i < inFlight.size(); i++) {
                if (inFlight.get(i) == changed) {
                    inFlight.remove(i);
                    return;
                }
            }
        }

        synchronized void dropBefore(long version) {
            entries.forEach((k, e) -> {
                if (k.version < version) {
                    remove(k, e);
                }
            });
        }

        private void remove(Key k, Entry e) {
            entries.remove(k, e);
            cache.asMap().remove(k, e);
        }
    }

    /** The hot path's store, bracketing each commit with {@link ViewEntries#begin} and {@link ViewEntries#end}. */
    private final class InvalidatingStore extends ForwardingRealtimeStore {

        InvalidatingStore(RealtimeStore store) {
            super(store);
        }

        @Override
        public void commit(String stream, int partition, long nextOffset, Map<StateKey, Object[]> deltas,
                           List<IdempotencyRecord> idempotency) {
            Map<String, Changes> byView = new HashMap<>(4);
            for (StateKey k : deltas.keySet()) {
                byView.computeIfAbsent(k.view(), v -> new Changes()).add(k);
            }
            List<Map.Entry<String, Changes>> begun = new ArrayList<>(byView.size());
            try {
                for (Map.Entry<String, Changes> e : byView.entrySet()) {
                    views.get(e.getKey()).begin(e.getValue());
                    begun.add(e);
                }
                store.commit(stream, partition, nextOffset, deltas, idempotency);
            } finally {
                begun.forEach(e -> views.get(e.getKey()).end(e.getValue()));
            }
        }
    }

    /**
     * An estimate of the bytes a result holds on a 64-bit JVM with compressed pointers: object headers, arrays,
     * boxed numbers and strings, each row's dims and values. Shared objects (dim values, names) are counted per row,
     * so the estimate errs high.
     */
    static int weigh(QueryResult r) {
        long bytes = 256 + 48L * (r.dimensions().size() + r.measures().size());
        for (QueryResult.Row row : r.rows()) {
            bytes += 32 + 24 + 16 + 4L * row.values().length + 16 + 4L * row.dims().size();
            for (int i = 0; i < row.dims().size(); i++) {
                bytes += valueBytes(row.dims().get(i));
            }
            for (Object v : row.values()) {
                bytes += valueBytes(v);
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }

    private static long valueBytes(Object v) {
        if (v == null || v instanceof Boolean) {
            return 0;
        }
        if (v instanceof String s) {
            return 24 + 16 + 2L * s.length();
        }
        if (v instanceof BigInteger b) {
            return 40 + 16 + b.bitLength() / 8;
        }
        return 16;
    }
}
