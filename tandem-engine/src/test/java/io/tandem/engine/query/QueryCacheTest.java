package io.tandem.engine.query;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tandem.core.GroupKey;
import io.tandem.core.Needs;
import io.tandem.core.QueryCacheDef;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;
import io.tandem.spi.batch.BatchVersion;
import io.tandem.engine.batchview.BatchViews;
import io.tandem.engine.store.ForwardingRealtimeStore;
import io.tandem.engine.store.InMemoryRealtimeStore;
import io.tandem.spi.store.IdempotencyRecord;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.store.StateKey;
import io.tandem.spi.testkit.RealtimeStoreContract;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The query cache over a real in-memory store and query service: what a commit invalidates and what it leaves,
 * batch versions and warming, the byte bound, and the two races a commit can have with a query, played step by
 * step through hooks in the store (no thread, no timing).
 */
public class QueryCacheTest {

    private static final long MIN = 60_000;

    private final Catalog catalog = RealtimeStoreContract.catalog();
    private final CompiledView view = catalog.view("per_k");
    private final InMemoryRealtimeStore raw = new InMemoryRealtimeStore(catalog, null);
    /** Run by the store right after it applied a commit, before the commit call returns. */
    private Runnable afterApply = () -> { };
    /** Run by the store right after a query's scan read it, before the query merges. */
    private Runnable afterScan = () -> { };
    private final RealtimeStore hooked = new Hooked(raw);
    private volatile BatchVersion current = BatchVersion.EMPTY;
    private final BatchViews batch = new BatchViews() {
        @Override
        public <T> T read(Function<BatchVersion, T> reader) {
            return reader.apply(current);
        }
    };
    private final QueryService service = new QueryService(catalog, hooked, batch);
    /** The meters of the latest cache made. */
    private PrometheusMeterRegistry meters;
    private QueryCache cache = cache(QueryCacheDef.DEFAULT);
    /** What the hot path commits through. */
    private RealtimeStore hot = cache.guard(hooked);
    private long offset;

    private QueryCache cache(QueryCacheDef def) {
        meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        return new QueryCache(def, catalog, service, () -> current.version(), () -> 42L, meters);
    }

    @AfterEach
    void close() {
        raw.close();
    }

    @Test
    void when_theSameQueryIsAskedTwice_then_theSecondIsAHitWithTheSameAnswer() {
        commit("a", 0, 1, 5);
        ViewQuery q = query(0, 10 * MIN, 0, Map.of("k", "a"));

        QueryResult first = cache.query(q);
        QueryResult second = cache.query(q);

        assertSame(second, service.query(q));
        assertThat(second).isSameAs(first);
        assertThat(cache.stats().hits()).isEqualTo(1);
        assertThat(cache.stats().misses()).isEqualTo(1);
        assertThat(cache.stats().hitRatio()).isEqualTo(0.5);
        assertThat(meters.scrape()).contains("tandem_query_cache_hits_total 1.0")
                .contains("tandem_query_cache_misses_total 1.0");
    }

    @Test
    void when_aQueryCoversTheSameBucketsInOtherWords_then_itSharesTheEntry() {
        commit("a", 0, 1, 5);
        // [0:30, 9:10) reads the buckets [0, 10 min) at 1-minute buckets, as [0, 10 min) does
        QueryResult aligned = cache.query(query(0, 10 * MIN, 0, Map.of("k", "a")));
        QueryResult unaligned = cache.query(query(30_000, 9 * MIN + 10_000, MIN, Map.of("k", "a")));

        assertThat(unaligned).isSameAs(aligned);
        assertSame(unaligned, service.query(query(30_000, 9 * MIN + 10_000, MIN, Map.of("k", "a"))));
    }

    @Test
    void when_aCommitChangesACoveredBucket_then_onlyTheEntriesCoveringItAreInvalidated() {
        commit("a", 0, 1, 5);
        commit("b", 0, 1, 7);
        ViewQuery a = query(0, 10 * MIN, 0, Map.of("k", "a"));
        ViewQuery b = query(0, 10 * MIN, 0, Map.of("k", "b"));
        ViewQuery all = query(0, 10 * MIN, 0, Map.of());
        ViewQuery later = query(10 * MIN, 20 * MIN, 0, Map.of());
        ViewQuery fiveMinutes = query(0, 5 * MIN, 5 * MIN, Map.of("k", "a"));
        List.of(a, b, all, later, fiveMinutes).forEach(cache::query);

        // 1. a commit to (a, minute 4): a, all and the 5-minute roll-up cover it; b and later do not
        commit("a", 4 * MIN, 1, 3);
        assertThat(cache.stats().invalidations()).isEqualTo(3);
        assertHit(b);
        assertHit(later);
        assertMiss(a);
        assertMiss(all);
        assertMiss(fiveMinutes);

        // 2. minute 5 is past the roll-up's only bucket [0, 5 min) but inside a's range
        commit("a", 5 * MIN, 1, 1);
        assertHit(fiveMinutes);
        assertMiss(a);

        // 3. every answer, hit or not, is the uncached one
        for (ViewQuery q : List.of(a, b, all, later, fiveMinutes)) {
            assertSame(cache.query(q), service.query(q));
        }
    }

    @Test
    void when_aCommittedEpochIsCoveredByTheBatch_then_itInvalidatesNothing() {
        // the batch covers epochs up to 3: a query ignores real-time entries of those epochs
        current = new BatchVersion(1, 3, 4 * 3_600_000L, Map.of());
        commit("a", 0, 7, 5);
        ViewQuery q = query(0, 10 * MIN, 0, Map.of());
        cache.query(q);

        commit("a", 0, 3, 100);
        assertHit(q);
        commit("a", 0, 4, 1);
        assertMiss(q);
        assertSame(cache.query(q), service.query(q));
    }

    @Test
    void when_aReaderSeesTheCommitBeforeTheCommitCallReturns_then_itGetsTheNewAnswer() {
        // regression: invalidating after the commit (as a commit listener would) left a moment where the commit
        // was visible and a hit still returned the answer from before it
        commit("a", 0, 1, 5);
        ViewQuery q = query(0, 10 * MIN, 0, Map.of("k", "a"));
        cache.query(q);
        QueryResult[] seen = new QueryResult[1];
        afterApply = () -> seen[0] = cache.query(q);

        commit("a", MIN, 1, 2);

        assertThat(row(seen[0], MIN)).isNotNull();
        assertSame(seen[0], service.query(q));
        // the query that ran while the commit was in flight was not cached: the next one computes again
        afterApply = () -> { };
        long misses = cache.stats().misses();
        assertSame(cache.query(q), service.query(q));
        assertThat(cache.stats().misses()).isEqualTo(misses + 1);
        assertHit(q);
    }

    @Test
    void when_aCommitBeginsWhileAQueryComputes_then_itsResultIsNotCached() {
        commit("a", 0, 1, 5);
        ViewQuery q = query(0, 10 * MIN, 0, Map.of("k", "a"));
        // the query reads the store, then a covering commit happens before it can cache what it read
        afterScan = () -> {
            afterScan = () -> { };
            commit("a", 0, 1, 9);
        };

        QueryResult before = cache.query(q);

        assertThat(row(before, 0).values()[0]).isEqualTo(1L);
        QueryResult after = cache.query(q);
        assertThat(row(after, 0).values()[0]).isEqualTo(2L);
        assertSame(after, service.query(q));
        assertThat(cache.stats().misses()).isEqualTo(2);
    }

    @Test
    void when_aCommitThatDoesNotCoverAComputingQueryBegins_then_itsResultIsCached() {
        commit("a", 0, 1, 5);
        ViewQuery q = query(0, 10 * MIN, 0, Map.of("k", "a"));
        afterScan = () -> {
            afterScan = () -> { };
            commit("b", 0, 1, 9);
        };

        cache.query(q);

        assertHit(q);
    }

    @Test
    void when_aBatchVersionIsPublished_then_olderEntriesAreDroppedAndTheMostAskedQueriesWarmed() {
        commit("a", 0, 1, 5);
        ViewQuery popular = query(0, 10 * MIN, 0, Map.of("k", "a"));
        ViewQuery rare = query(0, 10 * MIN, 0, Map.of());
        cache = cache(new QueryCacheDef(true, QueryCacheDef.DEFAULT_MAX_BYTES, 1, Needs.NONE));
        hot = cache.guard(hooked);
        for (int i = 0; i < 3; i++) {
            cache.query(popular);
        }
        cache.query(rare);

        // 1. a new version: lookups use it, so nothing of version 0 is hit
        current = new BatchVersion(1, 0, 3_600_000L, Map.of());
        // 2. the publish hook drops version 0 and recomputes the one most asked query
        cache.published(current);

        assertThat(cache.stats().entries()).isEqualTo(1);
        assertThat(cache.stats().lastWarm()).isEqualTo(new QueryCache.Warm(1, 1, cache.stats().lastWarm().elapsedMs(),
                42));
        assertHit(popular);
        assertThat(cache.query(popular).boundary().version()).isEqualTo(1);
        assertMiss(rare);
        assertThat(meters.scrape()).contains("tandem_query_cache_warmup_duration_seconds_count 1\n");
    }

    @Test
    void when_theResultsExceedMaxBytes_then_entriesAreEvictedAndTheWeightStaysWithinTheBound() {
        long maxBytes = 8_192;
        cache = cache(new QueryCacheDef(true, maxBytes, 0, Needs.NONE));
        hot = cache.guard(hooked);
        for (int k = 0; k < 20; k++) {
            for (int m = 0; m < 10; m++) {
                commit("k" + k, m * MIN, 1, k);
            }
        }
        for (int k = 0; k < 20; k++) {
            cache.query(query(0, 10 * MIN, 0, Map.of("k", "k" + k)));
        }

        QueryCache.Stats s = cache.stats();
        assertThat(s.evictions()).isPositive();
        assertThat(s.weightedBytes()).isPositive().isLessThanOrEqualTo(maxBytes);
        assertThat(s.entries()).isLessThan(20);
        // what is left still answers exactly, and commits still invalidate it
        commit("k19", 0, 1, 1);
        for (int k = 0; k < 20; k++) {
            ViewQuery q = query(0, 10 * MIN, 0, Map.of("k", "k" + k));
            assertSame(cache.query(q), service.query(q));
        }
    }

    @Test
    void when_theCacheIsOff_then_everyQueryIsComputed() {
        cache = cache(new QueryCacheDef(false, QueryCacheDef.DEFAULT_MAX_BYTES, 20, Needs.NONE));
        assertThat(cache.guard(hooked)).isSameAs(hooked);
        commit("a", 0, 1, 5);
        ViewQuery q = query(0, 10 * MIN, 0, Map.of());

        QueryResult first = cache.query(q);
        QueryResult second = cache.query(q);

        assertThat(second).isNotSameAs(first);
        assertThat(cache.stats().enabled()).isFalse();
        assertThat(cache.stats().hits() + cache.stats().misses()).isZero();
    }

    @Test
    void when_aQueryIsWrong_then_theErrorIsTheServiceOwn() {
        for (ViewQuery q : List.of(query(0, MIN, 0, Map.of("nope", "x")), query(MIN, 0, 0, Map.of()),
                query(0, MIN, 90_000, Map.of()), new ViewQuery("missing", 0, MIN, 0, Map.of()))) {
            String expected = null;
            try {
                service.query(q);
            } catch (QueryException e) {
                expected = e.getMessage();
            }
            assertThat(expected).isNotNull();
            assertThatThrownBy(() -> cache.query(q)).isInstanceOf(QueryException.class).hasMessage(expected);
        }
        assertThat(cache.stats().hits() + cache.stats().misses()).isZero();
    }

    private void assertHit(ViewQuery q) {
        long hits = cache.stats().hits();
        cache.query(q);
        assertThat(cache.stats().hits()).as("hit %s", q).isEqualTo(hits + 1);
    }

    private void assertMiss(ViewQuery q) {
        long misses = cache.stats().misses();
        cache.query(q);
        assertThat(cache.stats().misses()).as("miss %s", q).isEqualTo(misses + 1);
    }

    /** Equal answers, row by row and value by value. */
    public static void assertSame(QueryResult actual, QueryResult expected) {
        assertThat(actual.view()).isEqualTo(expected.view());
        assertThat(actual.granularityMs()).isEqualTo(expected.granularityMs());
        assertThat(actual.dimensions()).isEqualTo(expected.dimensions());
        assertThat(actual.measures()).isEqualTo(expected.measures());
        assertThat(actual.boundary()).isEqualTo(expected.boundary());
        assertThat(actual.rows()).hasSameSizeAs(expected.rows());
        for (int i = 0; i < actual.rows().size(); i++) {
            QueryResult.Row a = actual.rows().get(i);
            QueryResult.Row e = expected.rows().get(i);
            assertThat(a.bucket()).isEqualTo(e.bucket());
            assertThat(a.dims()).isEqualTo(e.dims());
            assertThat(a.values()).containsExactly(e.values());
            assertThat(a.source()).isEqualTo(e.source());
        }
    }

    private static QueryResult.Row row(QueryResult r, long bucket) {
        return r.rows().stream().filter(x -> x.bucket() == bucket).findFirst().orElse(null);
    }

    private static ViewQuery query(long from, long to, long g, Map<String, String> dims) {
        return new ViewQuery("per_k", from, to, g, dims);
    }

    /** One committed event of key k in a bucket and an arrival epoch, through the cache's guard. */
    private void commit(String k, long bucket, long epoch, long v) {
        RowCodec codec = new RowCodec(RealtimeStoreContract.STREAM);
        BinaryRow row = codec.reader();
        byte[] p = codec.builder().reset(bucket).setString(0, k).setLong(1, v).encode();
        Object[] accs = view.createAccumulators();
        view.add(accs, row.reset(p, 0, p.length, 0, 0));
        Map<StateKey, Object[]> deltas = new HashMap<>();
        deltas.put(new StateKey("per_k", GroupKey.of(k), bucket, epoch), accs);
        hot.commit("s", 0, ++offset, deltas, List.of());
    }

    /** The real store, with the test's hooks after a commit is applied and after a scan. */
    private final class Hooked extends ForwardingRealtimeStore {

        Hooked(RealtimeStore store) {
            super(store);
        }

        @Override
        public void commit(String stream, int partition, long nextOffset, Map<StateKey, Object[]> deltas,
                           List<IdempotencyRecord> idempotency) {
            store.commit(stream, partition, nextOffset, deltas, idempotency);
            afterApply.run();
        }

        @Override
        public void scan(String view, long fromBucket, long toBucket, Predicate<GroupKey> dims, Visitor visitor) {
            store.scan(view, fromBucket, toBucket, dims, visitor);
            afterScan.run();
        }

        @Override
        public void scanGroup(String view, GroupKey dims, long fromBucket, long toBucket, Visitor visitor) {
            store.scanGroup(view, dims, fromBucket, toBucket, visitor);
            afterScan.run();
        }

        @Override
        public void close() {
        }
    }
}
