package io.tandem.spi.testkit;

import io.tandem.core.GroupKey;
import io.tandem.core.MeasureDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.ViewDef;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;
import io.tandem.spi.batch.BatchRows;
import io.tandem.spi.batch.BatchVersion;
import io.tandem.spi.batch.BatchViewStore;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link BatchViewStore} must do, wherever it keeps its versions (a local folder, an object store).
 * An implementation's test extends this class and says how to open a store over the same storage each time, with
 * a bound on what it holds in memory of the rows it stores, and how much it holds now.
 */
public abstract class BatchViewStoreContract {

    private static final long MINUTE = 60_000;
    private static final long DAY = 1_440 * MINUTE;

    /** Opens a store over this test's storage for {@code catalog}: a new one the first time, the same after. */
    protected abstract BatchViewStore open(Catalog catalog);

    /** As {@link #open(Catalog)}, holding at most {@code cacheBytes} of stored rows in memory, in its own measure. */
    protected abstract BatchViewStore open(Catalog catalog, long cacheBytes);

    /** What {@code store} holds in memory of stored rows now, in the measure of its bound. */
    protected abstract long cachedBytes(BatchViewStore store);

    private final List<BatchViewStore> opened = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(BatchViewStore::close);
    }

    private BatchViewStore store(Catalog catalog) {
        BatchViewStore s = open(catalog);
        opened.add(s);
        return s;
    }

    /** Views over {@link RealtimeStoreContract#STREAM}: per k per minute, count and sum(v); and a second one. */
    private static Catalog catalog(String secondMeasure) {
        Map<String, MeasureDef> m = new LinkedHashMap<>();
        m.put("n", new MeasureDef("n", "count", null, null, null));
        m.put("total", new MeasureDef("total", "sum", "v", null, null));
        Map<String, MeasureDef> other = new LinkedHashMap<>();
        other.put("x", new MeasureDef("x", secondMeasure, "v", null, null));
        return new Catalog(new TandemConfig(3_600_000, Map.of("s", RealtimeStoreContract.STREAM), Map.of(
                "per_k", new ViewDef("per_k", "s", List.of("k"), MINUTE, null, m),
                "other", new ViewDef("other", "s", List.of(), MINUTE, null, other))));
    }

    private final Catalog catalog = catalog("max");

    private Object[] accs(String view, long... values) {
        CompiledView v = catalog.view(view);
        RowCodec codec = new RowCodec(RealtimeStoreContract.STREAM);
        BinaryRow row = codec.reader();
        Object[] accs = v.createAccumulators();
        for (long value : values) {
            byte[] p = codec.builder().reset(0).setString(0, "x").setLong(1, value).encode();
            v.add(accs, row.reset(p, 0, p.length, 0, 0));
        }
        return accs;
    }

    /** Rows of one view: a map per bucket of dims → accumulators, as the batch runner builds them. */
    private static NavigableMap<Long, Map<GroupKey, Object[]>> rows(Object... bucketDimsAccs) {
        NavigableMap<Long, Map<GroupKey, Object[]>> rows = new TreeMap<>();
        for (int i = 0; i < bucketDimsAccs.length; i += 3) {
            rows.computeIfAbsent((Long) bucketDimsAccs[i], b -> new HashMap<>())
                    .put((GroupKey) bucketDimsAccs[i + 1], (Object[]) bucketDimsAccs[i + 2]);
        }
        return rows;
    }

    /** Every view's results, by "view/bucket/dims". */
    private Map<String, List<Object>> results(BatchVersion version, Catalog in) {
        Map<String, List<Object>> out = new HashMap<>();
        version.views().keySet().forEach(view -> out.putAll(results(version, in, view, Long.MIN_VALUE,
                Long.MAX_VALUE)));
        return out;
    }

    /** One view's results in {@code [from, to)}, by "view/bucket/dims", read with {@link BatchVersion#buckets}. */
    private static Map<String, List<Object>> results(BatchVersion version, Catalog in, String view, long from,
                                                     long to) {
        Map<String, List<Object>> out = new HashMap<>();
        version.buckets(view, from, to).forEach((bucket, dims) -> dims.forEach((k, a) ->
                out.put(view + "/" + bucket + "/" + k, List.of(in.view(view).results(a)))));
        return out;
    }

    /** Three days of per_k (one range each) and one bucket of other, before 1970 included. */
    private BatchVersion first() {
        return new BatchVersion(1, 7, 8 * 3_600_000L, Map.of(
                "per_k", BatchRows.of(rows(-MINUTE, GroupKey.of("a"), accs("per_k", 1), 0L, GroupKey.of("a"),
                        accs("per_k", 2, 3), 0L, GroupKey.of("b"), accs("per_k", 4), DAY + MINUTE, GroupKey.of("a"),
                        accs("per_k", 5))),
                "other", BatchRows.of(rows(0L, GroupKey.of(), accs("other", 9)))));
    }

    @Test
    void aNewStoreLoadsTheEmptyVersion() {
        BatchViewStore.Loaded loaded = store(catalog).load();

        assertThat(loaded.version().isEmpty()).isTrue();
        assertThat(loaded.stale()).isEmpty();
        assertThat(store(catalog).currentVersion()).isZero();
    }

    @Test
    void aPublishedVersionIsWhatTheNextStoreLoads() {
        BatchVersion v1 = first();
        BatchViewStore.Published published = store(catalog).publish(v1);

        // per_k spans three ranges (the day before 1970, day 0, day 1), other one
        assertThat(published.rangesWritten()).isEqualTo(4);
        assertThat(published.rangesKept()).isZero();
        assertThat(results(published.version(), catalog)).isEqualTo(results(v1, catalog));
        assertThat(store(catalog).currentVersion()).isEqualTo(1);
        BatchVersion loaded = store(catalog).load().version();
        assertThat(loaded.version()).isEqualTo(1);
        assertThat(loaded.boundaryEpoch()).isEqualTo(7);
        assertThat(loaded.untilMs()).isEqualTo(8 * 3_600_000L);
        assertThat(results(loaded, catalog)).isEqualTo(results(v1, catalog)).hasSize(5);
    }

    @Test
    void aPublishWritesOnlyTheRangesThatChanged_beforeAndAfterAReload() {
        BatchViewStore store = store(catalog);
        BatchVersion v1 = first();

        // version 2 changes day 1 of per_k, built on version 1 as stored: the other ranges are kept
        BatchVersion stored = store.publish(v1).version();
        BatchVersion v2 = new BatchVersion(2, 8, 9 * 3_600_000L, Map.of(
                "per_k", new BatchRows.Changed(stored.views().get("per_k"),
                        rows(DAY + MINUTE, GroupKey.of("a"), accs("per_k", 5, 6))),
                "other", stored.views().get("other")));
        BatchViewStore.Published published = store.publish(v2);
        assertThat(List.of(published.rangesWritten(), published.rangesKept())).containsExactly(1, 3);
        assertThat(results(published.version(), catalog)).isEqualTo(results(v2, catalog));

        // a store opened later keeps what its loaded version holds as it is, too
        BatchViewStore reopened = store(catalog);
        BatchVersion loaded = reopened.load().version();
        assertThat(results(loaded, catalog)).isEqualTo(results(v2, catalog));
        BatchVersion v3 = new BatchVersion(3, 9, 10 * 3_600_000L, Map.of("per_k", loaded.views().get("per_k"),
                "other", new BatchRows.Changed(loaded.views().get("other"),
                        rows(0L, GroupKey.of(), accs("other", 10)))));
        published = reopened.publish(v3);
        assertThat(List.of(published.rangesWritten(), published.rangesKept())).containsExactly(1, 3);
        assertThat(results(store(catalog).load().version(), catalog)).isEqualTo(results(v3, catalog));
    }

    @Test
    void aVersionBuiltOnRowsThisStoreDidNotStoreLast_isWrittenWhole() {
        BatchViewStore store = store(catalog);
        BatchVersion v1 = first();
        store.publish(v1);

        // built on the rows as they were in memory, not on those the store holds: nothing is known unchanged
        BatchVersion v2 = new BatchVersion(2, 8, 9 * 3_600_000L, Map.of(
                "per_k", new BatchRows.Changed(v1.views().get("per_k"),
                        rows(DAY + MINUTE, GroupKey.of("a"), accs("per_k", 5, 6))),
                "other", v1.views().get("other")));
        BatchViewStore.Published published = store.publish(v2);

        assertThat(List.of(published.rangesWritten(), published.rangesKept())).containsExactly(4, 0);
        assertThat(results(store(catalog).load().version(), catalog)).isEqualTo(results(v2, catalog));
    }

    @Test
    void aBucketRangeOfAStoredVersion_readsExactlyWhatWasPublished_withinTheMemoryBound() {
        // 40 days of per_k, two keys a day and one more every third day: 40 range files
        NavigableMap<Long, Map<GroupKey, Object[]>> perK = new TreeMap<>();
        for (int d = -20; d < 20; d++) {
            long bucket = d * DAY + (d & 7) * MINUTE;
            perK.computeIfAbsent(bucket, b -> new HashMap<>()).put(GroupKey.of("a"), accs("per_k", d));
            perK.computeIfAbsent(bucket + MINUTE, b -> new HashMap<>()).put(GroupKey.of("b"), accs("per_k", d, 1));
            if (d % 3 == 0) {
                perK.get(bucket).put(GroupKey.of("c"), accs("per_k", 2, d));
            }
        }
        BatchVersion v1 = new BatchVersion(1, 7, 8 * 3_600_000L, Map.of("per_k", BatchRows.of(perK),
                "other", BatchRows.NONE));
        BatchVersion published = store(catalog).publish(v1).version();
        long bound = 3 * 1_024;
        BatchViewStore bounded = open(catalog, bound);
        opened.add(bounded);
        BatchVersion loaded = bounded.load().version();

        assertThat(loaded.rows("per_k")).isEqualTo(v1.rows("per_k")).isEqualTo(perK.values().stream()
                .mapToLong(Map::size).sum());
        long[][] spans = {{Long.MIN_VALUE, Long.MAX_VALUE}, {-20 * DAY, 20 * DAY}, {-3 * DAY + 1, 2 * DAY},
            {5 * DAY + 5 * MINUTE, 5 * DAY + 6 * MINUTE}, {5 * DAY + 6 * MINUTE, 5 * DAY + 7 * MINUTE},
            {-DAY, -DAY}, {30 * DAY, 40 * DAY}};
        for (long[] span : spans) {
            for (BatchVersion stored : List.of(published, loaded)) {
                assertThat(results(stored, catalog, "per_k", span[0], span[1])).as("[%d, %d)", span[0], span[1])
                        .isEqualTo(results(v1, catalog, "per_k", span[0], span[1]));
            }
            assertThat(cachedBytes(bounded)).isLessThanOrEqualTo(bound);
        }
        // read a day at a time, as a query does with forEachBucket, the whole span is visited in order
        List<Long> visited = new ArrayList<>();
        loaded.forEachBucket("per_k", Long.MIN_VALUE, Long.MAX_VALUE, (bucket, dims) -> {
            visited.add(bucket);
            assertThat(cachedBytes(bounded)).isLessThanOrEqualTo(bound);
        });
        assertThat(visited).containsExactlyElementsOf(perK.keySet());
    }

    @Test
    void aViewRedefinedSince_isStale_andTheOthersLoad() {
        store(catalog).publish(first());

        Catalog redefined = catalog("min");
        BatchViewStore.Loaded loaded = store(redefined).load();

        assertThat(loaded.stale()).containsExactly("other");
        assertThat(loaded.version().views()).containsOnlyKeys("per_k");
        assertThat(results(loaded.version(), redefined)).hasSize(4);
    }

    @Test
    void aViewWithNoRows_loadsEmpty() {
        BatchVersion v = new BatchVersion(1, 0, 3_600_000L, Map.of("per_k", BatchRows.NONE));
        store(catalog).publish(v);

        BatchVersion loaded = store(catalog).load().version();

        assertThat(loaded.version()).isEqualTo(1);
        assertThat(loaded.rows("per_k")).isZero();
        assertThat(loaded.rows("other")).isZero();
    }
}
