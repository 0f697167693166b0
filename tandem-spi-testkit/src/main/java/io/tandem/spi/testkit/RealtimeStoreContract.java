package io.tandem.spi.testkit;

import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.GroupKey;
import io.tandem.core.MeasureDef;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.UnknownFields;
import io.tandem.core.ViewDef;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;
import io.tandem.spi.store.IdempotencyRecord;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.store.StateKey;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link RealtimeStore} must do, whatever keeps its state (memory and checkpoints, Redis, ...).
 * An implementation's test extends this class and says how to open the store and how to reopen it after a stop.
 */
public abstract class RealtimeStoreContract {

    public static final StreamDef STREAM = new StreamDef("s", "ts", 5_000, List.of(
            new FieldDef("k", FieldType.STRING), new FieldDef("v", FieldType.LONG)), UnknownFields.IGNORE);

    /** A catalog of one view over {@link #STREAM}: per k per minute, count and sum(v). */
    public static Catalog catalog() {
        Map<String, MeasureDef> m = new LinkedHashMap<>();
        m.put("n", new MeasureDef("n", "count", null, null, null));
        m.put("total", new MeasureDef("total", "sum", "v", null, null));
        return new Catalog(new TandemConfig(3_600_000, Map.of("s", STREAM),
                Map.of("per_k", new ViewDef("per_k", "s", List.of("k"), 60_000, null, m))));
    }

    protected final Catalog catalog = catalog();
    protected final CompiledView view = catalog.view("per_k");
    protected RealtimeStore store;
    private final Set<String> acquired = new HashSet<>();

    /** A new, empty store for {@link #catalog}. */
    protected abstract RealtimeStore open();

    /** Stops {@code store} (after {@link RealtimeStore#checkpoint()}) and opens it again over the same state. */
    protected abstract RealtimeStore reopen(RealtimeStore store);

    @BeforeEach
    void openStore() {
        store = open();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** Accumulators holding one event per value, all with key k. */
    protected Object[] accs(long... values) {
        RowCodec codec = new RowCodec(STREAM);
        RowCodec.Builder b = codec.builder();
        BinaryRow row = codec.reader();
        Object[] accs = view.createAccumulators();
        for (long v : values) {
            byte[] p = b.reset(0).setString(0, "x").setLong(1, v).encode();
            view.add(accs, row.reset(p, 0, p.length, 0, 0));
        }
        return accs;
    }

    protected static StateKey key(String k, long bucket, long epoch) {
        return new StateKey("per_k", GroupKey.of(k), bucket, epoch);
    }

    /** Every key's results, merged over the shards that hold it. */
    protected Map<StateKey, List<Object>> contents() {
        Map<StateKey, Object[]> merged = new HashMap<>();
        store.scan("per_k", Long.MIN_VALUE, Long.MAX_VALUE, d -> true, (k, a) -> merged.merge(k, a, view::merge));
        Map<StateKey, List<Object>> out = new HashMap<>();
        merged.forEach((k, a) -> out.put(k, List.of(view.results(a))));
        return out;
    }

    /** Commits as the shard's writer: acquires the shard first, the first time this store commits to it. */
    protected void commit(String stream, int partition, long nextOffset, Map<StateKey, Object[]> deltas,
                          List<IdempotencyRecord> idempotency) {
        if (acquired.add(stream + "/" + partition)) {
            store.acquire(stream, partition);
        }
        store.commit(stream, partition, nextOffset, deltas, idempotency);
    }

    /** {@link #reopen Reopens} the store; the new one has no writer yet. */
    protected void reopenStore() {
        store = reopen(store);
        acquired.clear();
    }

    protected static Map<StateKey, Object[]> deltas(Object... keysAndAccs) {
        Map<StateKey, Object[]> d = new HashMap<>();
        for (int i = 0; i < keysAndAccs.length; i += 2) {
            d.put((StateKey) keysAndAccs[i], (Object[]) keysAndAccs[i + 1]);
        }
        return d;
    }

    @Test
    void aNewShardStartsAtOffsetZero() {
        assertThat(store.committedOffset("s", 0)).isZero();
        assertThat(store.committedOffset("s", 5)).isZero();
        assertThat(store.size()).isZero();
    }

    @Test
    void commitsMergeIntoTheSameKey_andMoveTheShardsOffset() {
        commit("s", 0, 3, deltas(key("a", 0, 1), accs(1, 2)), List.of());
        commit("s", 0, 5, deltas(key("a", 0, 1), accs(10), key("b", 60_000, 1), accs(7)), List.of());

        assertThat(store.committedOffset("s", 0)).isEqualTo(5);
        assertThat(contents()).containsOnly(
                Map.entry(key("a", 0, 1), List.of(3L, 13L)),
                Map.entry(key("b", 60_000, 1), List.of(1L, 7L)));
        assertThat(store.size()).isEqualTo(2);
    }

    @Test
    void scanGroup_visitsWhatAScanForThatGroupVisits_whateverTheRange() {
        // group a in buckets 0, 1, 2 and 5 minutes (two epochs in minute 1, two shards), other groups around it
        commit("s", 0, 4, deltas(key("a", 0, 1), accs(1), key("a", 60_000, 1), accs(2),
                key("a", 300_000, 2), accs(3), key("b", 60_000, 1), accs(4)), List.of());
        commit("s", 1, 3, deltas(key("a", 60_000, 2), accs(5), key("a", 120_000, 2), accs(6),
                key("ab", 60_000, 1), accs(7), key("c", 0, 1), accs(8)), List.of());
        long[][] ranges = {{0, 60_000}, {60_000, 180_000}, {-60_000, 360_000}, {61_000, 299_999}, {300_000, 300_000},
            {Long.MIN_VALUE, Long.MAX_VALUE}, {0, 3_600_000_000L}, {360_000, 0}};
        for (long[] r : ranges) {
            Map<StateKey, List<Object>> scanned = new HashMap<>();
            store.scan("per_k", r[0], r[1], GroupKey.of("a")::equals,
                    (k, accs) -> scanned.put(k, List.of(view.results(accs))));
            Map<StateKey, List<Object>> grouped = new HashMap<>();
            store.scanGroup("per_k", GroupKey.of("a"), r[0], r[1],
                    (k, accs) -> assertThat(grouped.put(k, List.of(view.results(accs)))).isNull());
            assertThat(grouped).as("[%d, %d)", r[0], r[1]).isEqualTo(scanned);
        }
        Map<StateKey, List<Object>> all = new HashMap<>();
        store.scanGroup("per_k", GroupKey.of("a"), Long.MIN_VALUE, Long.MAX_VALUE,
                (k, accs) -> all.put(k, List.of(view.results(accs))));
        assertThat(all).containsOnly(Map.entry(key("a", 0, 1), List.of(1L, 1L)),
                Map.entry(key("a", 60_000, 1), List.of(1L, 2L)), Map.entry(key("a", 60_000, 2), List.of(1L, 5L)),
                Map.entry(key("a", 120_000, 2), List.of(1L, 6L)), Map.entry(key("a", 300_000, 2), List.of(1L, 3L)));
    }

    @Test
    void partitionsAreSeparateShards_andScanSeesThemAll() {
        commit("s", 0, 2, deltas(key("a", 0, 1), accs(1)), List.of());
        commit("s", 1, 9, deltas(key("a", 0, 1), accs(2)), List.of());

        assertThat(store.committedOffset("s", 0)).isEqualTo(2);
        assertThat(store.committedOffset("s", 1)).isEqualTo(9);
        List<Object> totals = new ArrayList<>();
        store.scan("per_k", 0, 60_000, d -> true, (k, a) -> totals.add(view.results(a)[1]));
        assertThat(totals).containsExactlyInAnyOrder(1L, 2L);
    }

    @Test
    void scanVisitsOnlyTheDimsItIsAsked() {
        commit("s", 0, 1, deltas(key("a", 0, 1), accs(1), key("b", 0, 1), accs(2)), List.of());

        List<Object> seen = new ArrayList<>();
        store.scan("per_k", 0, 60_000, d -> d.get(0).equals("b"), (k, a) -> seen.add(k.dims().get(0)));

        assertThat(seen).containsExactly("b");
    }

    @Test
    void readVisitsOneGroup_everyEpochOfEveryShard() {
        commit("s", 0, 1, deltas(key("a", 0, 1), accs(1), key("a", 0, 2), accs(2), key("b", 0, 1), accs(4),
                key("a", 60_000, 1), accs(8)), List.of());
        commit("s", 1, 1, deltas(key("a", 0, 1), accs(16)), List.of());

        List<Object> seen = new ArrayList<>();
        store.read("per_k", GroupKey.of("a"), 0, null, (k, a) -> seen.add(k.epoch() + ":"
                + view.results(a)[1]));

        assertThat(seen).containsExactlyInAnyOrder("1:1", "2:2", "1:16");
    }

    @Test
    void readCopiesOnlyTheMeasuresAsked() {
        commit("s", 0, 1, deltas(key("a", 0, 1), accs(3, 4)), List.of());

        List<Object[]> seen = new ArrayList<>();
        store.read("per_k", GroupKey.of("a"), 0, new boolean[] {false, true}, (k, a) -> seen.add(a));

        assertThat(seen).hasSize(1);
        assertThat(seen.get(0)[0]).isNull();
        assertThat(view.results(seen.get(0), new boolean[] {false, true})).containsExactly(null, 7L);
    }

    @Test
    void scanIsBoundedByBucket_andHandsOutCopies() {
        commit("s", 0, 1, deltas(key("a", -60_000, 1), accs(1), key("a", 0, 1), accs(2),
                key("a", 60_000, 1), accs(4)), List.of());

        List<Long> buckets = new ArrayList<>();
        store.scan("per_k", -60_000, 60_000, d -> true, (k, a) -> {
            buckets.add(k.bucket());
            view.merge(a, accs(1000));
        });
        assertThat(buckets).containsExactlyInAnyOrder(-60_000L, 0L);
        assertThat(contents().get(key("a", 0, 1))).isEqualTo(List.of(1L, 2L));
    }

    @Test
    void idempotencyKeysAreKeptUntilExpired() {
        IdempotencyRecord k1 = new IdempotencyRecord("k1", 100, "{\"accepted\":1}",
                IdempotencyRecord.digest("s", new byte[] {1}));
        commit("s", 0, 1, Map.of(), List.of(k1));
        commit("s", 1, 1, Map.of(), List.of(new IdempotencyRecord("k2", 200, "{\"accepted\":2}", null)));

        assertThat(store.idempotency("k1")).contains(k1);
        assertThat(store.idempotency("k2")).isPresent();
        assertThat(store.idempotency("k3")).isEmpty();
        store.expireIdempotency(150);
        assertThat(store.idempotency("k1")).isEmpty();
        assertThat(store.idempotency("k2")).isPresent();
    }

    @Test
    void expireThroughDropsTheEpochsTheBatchCovers() {
        commit("s", 0, 1, deltas(key("a", 0, 1), accs(1), key("a", 0, 2), accs(2), key("a", 0, 3), accs(4)),
                List.of());

        store.expireThrough(2);

        assertThat(contents()).containsOnlyKeys(key("a", 0, 3));
    }

    @Test
    void acquireReturnsTheOffsetToReplayFrom_andTheWriterGoesOnMergingAfterIt() {
        assertThat(store.acquire("s", 0)).isZero();
        store.commit("s", 0, 6, deltas(key("a", 0, 1), accs(1)), List.of());
        assertThat(store.acquire("s", 0)).isEqualTo(6);
        store.commit("s", 0, 8, deltas(key("a", 0, 1), accs(2)), List.of());

        assertThat(contents()).containsOnly(Map.entry(key("a", 0, 1), List.of(2L, 3L)));
        reopenStore();
        assertThat(store.acquire("s", 0)).isEqualTo(8);
        store.commit("s", 0, 9, deltas(key("a", 0, 1), accs(4)), List.of());
        assertThat(contents()).containsOnly(Map.entry(key("a", 0, 1), List.of(3L, 7L)));
    }

    @Test
    void whatWasCommittedSurvivesAReopen() {
        IdempotencyRecord withDigest = new IdempotencyRecord("k", 1, "{}", IdempotencyRecord.digest("s", new byte[0]));
        IdempotencyRecord withoutDigest = new IdempotencyRecord("old", 2, "{}", null);
        commit("s", 0, 7, deltas(key("a", 0, 1), accs(1, 2), key("é", -120_000, -3), accs(5)),
                List.of(withDigest, withoutDigest));
        commit("s", 1, 4, deltas(key("a", 0, 1), accs(3)), List.of());
        Map<StateKey, List<Object>> before = contents();

        reopenStore();

        // read first, before anything names a partition: a query right after a restart sees it all
        assertThat(contents()).isEqualTo(before);
        assertThat(store.idempotency("k")).contains(withDigest);
        assertThat(store.idempotency("old")).contains(withoutDigest);
        assertThat(store.committedOffset("s", 0)).isEqualTo(7);
        assertThat(store.committedOffset("s", 1)).isEqualTo(4);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void randomCommitsReadsExpiriesAndReopens_matchAPlainReference(long seed) {
        Random random = new Random(seed);
        // the reference: per key, the count and the sum of the values committed, less what expiry removed
        Map<StateKey, long[]> reference = new HashMap<>();
        // and which partitions hold an entry of each key, for the store's size
        Map<StateKey, Set<Integer>> holders = new HashMap<>();
        long[] nextOffset = new long[3];
        long mark = 0;
        for (int step = 0; step < 120; step++) {
            int op = random.nextInt(20);
            if (op < 14) {
                int partition = random.nextInt(3);
                Map<StateKey, Object[]> batch = new HashMap<>();
                for (int i = 1 + random.nextInt(6); i > 0; i--) {
                    StateKey k = key("k" + random.nextInt(5), 60_000L * (random.nextInt(7) - 3),
                            mark + 1 + random.nextInt(3));
                    long v = random.nextInt(1_000) - 500;
                    Object[] delta = accs(v);
                    Object[] before = batch.putIfAbsent(k, delta);
                    if (before != null) {
                        view.merge(before, delta);
                    }
                    reference.merge(k, new long[] {1, v}, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
                    holders.computeIfAbsent(k, x -> new HashSet<>()).add(partition);
                }
                nextOffset[partition] += 1 + random.nextInt(100);
                commit("s", partition, nextOffset[partition], batch, List.of());
            } else if (op < 16) {
                mark += random.nextInt(2);
                long through = mark;
                store.expireThrough(through);
                reference.keySet().removeIf(k -> k.epoch() <= through);
                holders.keySet().removeIf(k -> k.epoch() <= through);
            } else if (op < 17) {
                store.checkpoint();
                reopenStore();
            } else {
                StateKey probe = key("k" + random.nextInt(5), 60_000L * (random.nextInt(7) - 3), 0);
                Map<Long, List<Object>> read = new HashMap<>();
                store.read("per_k", probe.dims(), probe.bucket(), null, (k, a) -> read.merge(k.epoch(),
                        List.of(view.results(a)), (x, y) -> sum(x, y)));
                Map<Long, List<Object>> expected = new HashMap<>();
                reference.forEach((k, v) -> {
                    if (k.dims().equals(probe.dims()) && k.bucket() == probe.bucket()) {
                        expected.put(k.epoch(), List.of(v[0], v[1]));
                    }
                });
                assertThat(read).as("step %d: read %s", step, probe).isEqualTo(expected);
            }
            Map<StateKey, List<Object>> want = new HashMap<>();
            reference.forEach((k, v) -> want.put(k, List.of(v[0], v[1])));
            assertThat(contents()).as("step %d", step).isEqualTo(want);
            assertThat(store.size()).as("step %d: size", step)
                    .isEqualTo(holders.values().stream().mapToLong(Set::size).sum());
            for (int p = 0; p < nextOffset.length; p++) {
                assertThat(store.committedOffset("s", p)).isEqualTo(nextOffset[p]);
            }
        }
    }

    /** The count and sum of two shards' results for one key. */
    private static List<Object> sum(List<Object> a, List<Object> b) {
        return List.of((Long) a.get(0) + (Long) b.get(0), (Long) a.get(1) + (Long) b.get(1));
    }
}
