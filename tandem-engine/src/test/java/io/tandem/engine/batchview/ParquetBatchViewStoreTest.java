package io.tandem.engine.batchview;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.core.DuckDbDef;
import io.tandem.core.GroupKey;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.spi.batch.BatchRows;
import io.tandem.spi.batch.BatchVersion;
import io.tandem.spi.batch.BatchViewStore;
import io.tandem.spi.testkit.BatchViewStoreContract;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The local batch view store passes the contract, on a temporary folder, reads the versions written before it
 * stored views by range or checksums, and finds a damaged range file at load.
 */
class ParquetBatchViewStoreTest extends BatchViewStoreContract {

    @TempDir
    Path dir;

    @Override
    protected BatchViewStore open(Catalog catalog) {
        return new ParquetBatchViewStore(dir.resolve("batch"), catalog, new DuckDb(DuckDbDef.defaults(),
                dir.resolve("tmp")));
    }

    @Override
    protected BatchViewStore open(Catalog catalog, long cacheBytes) {
        return new ParquetBatchViewStore(dir.resolve("batch"), catalog, new DuckDb(DuckDbDef.defaults(),
                dir.resolve("tmp")), false, cacheBytes);
    }

    @Override
    protected long cachedBytes(BatchViewStore store) {
        return ((ParquetBatchViewStore) store).cache().bytes();
    }

    @Test
    void aVersionWrittenBeforeRanges_loads_andItsNextPublishWritesEveryRange() throws IOException {
        Catalog catalog = new Catalog(ConfigLoader.parse("""
                streams:
                  trades: {time: ts, fields: {qty: long, batch: long}}
                views:
                  by_batch: {from: trades, group_by: [batch], granularity: 1d, measures: {n: count}}
                  trades_1m: {from: trades, granularity: 1m, measures: {volume: sum(qty)}}
                """, "test.yaml"));
        CompiledView view = catalog.view("by_batch");
        Object[] accs = view.createAccumulators();
        NavigableMap<Long, Map<GroupKey, Object[]>> rows = new TreeMap<>();
        rows.put(0L, new HashMap<>(Map.of(GroupKey.of(7L), accs)));
        BatchVersion v1 = new BatchVersion(1, 3, 4 * 3_600_000L, Map.of("by_batch", BatchRows.of(rows)));
        try (BatchViewStore store = open(catalog)) {
            store.publish(v1);
        }
        // the layout of the release before: one <view>.bin and one <view>.parquet per view, of the formats a
        // range's files have
        Path version = dir.resolve("batch").resolve("v1");
        for (String name : List.of("by_batch", "trades_1m")) {
            Path folder = version.resolve(name);
            try (Stream<Path> files = Files.list(folder)) {
                List<Path> ranges = files.toList();
                assertThat(ranges.size()).isLessThanOrEqualTo(2);
                for (Path range : ranges) {
                    String kind = range.getFileName().toString().endsWith(".bin") ? ".bin" : ".parquet";
                    Files.move(range, version.resolve(name + kind));
                }
            }
            Files.delete(folder);
        }
        // nor did that release write checksums
        Path meta = version.resolve("meta.json");
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(meta.toFile());
        json.remove("files");
        Files.write(meta, new ObjectMapper().writeValueAsBytes(json));

        try (ParquetBatchViewStore store = (ParquetBatchViewStore) open(catalog)) {
            assertThat(store.parquetFiles(1, "by_batch")).containsExactly(version.resolve("by_batch.parquet"));
            assertThat(store.parquetGlob(1, "by_batch")).isEqualTo(version.resolve("by_batch.parquet").toString());
            BatchVersion loaded = store.load().version();
            assertThat(loaded.rows("by_batch")).isEqualTo(1);
            assertThat(loaded.buckets("by_batch", 0, 1).get(0L)).containsOnlyKeys(GroupKey.of(7L));
            BatchVersion v2 = new BatchVersion(2, 4, 5 * 3_600_000L, loaded.views());
            BatchViewStore.Published published = store.publish(v2);
            assertThat(List.of(published.rangesWritten(), published.rangesKept())).containsExactly(1, 0);
            assertThat(store.parquetFiles(2, "by_batch")).containsExactly(dir.resolve("batch").resolve("v2")
                    .resolve("by_batch").resolve("r0.parquet"));
            assertThat(store.parquetFiles(2, "trades_1m")).isEmpty();
        }
    }

    @Test
    void when_aQueryReadsAVersionLargerThanTheCache_then_theCacheNeverHoldsMoreThanItsBound() {
        Catalog catalog = new Catalog(ConfigLoader.parse("""
                streams:
                  trades: {time: ts, fields: {symbol: string, qty: long}}
                views:
                  bars: {from: trades, group_by: [symbol], granularity: 1m, measures: {n: count, volume: sum(qty)}}
                """, "test.yaml"));
        CompiledView view = catalog.view("bars");
        RowCodec codec = new RowCodec(view.stream());
        BinaryRow event = codec.reader();
        // 60 days (60 range files) of 30 buckets a day with 3 symbols each
        NavigableMap<Long, Map<GroupKey, Object[]>> rows = new TreeMap<>();
        for (int day = -30; day < 30; day++) {
            for (int b = 0; b < 30; b++) {
                Map<GroupKey, Object[]> bucket = rows.computeIfAbsent(day * DAY + b * 7 * MINUTE, k -> new HashMap<>());
                for (String symbol : List.of("A", "B", "C")) {
                    Object[] accs = view.createAccumulators();
                    byte[] p = codec.builder().reset(0).setString(0, symbol).setLong(1, day * 100L + b).encode();
                    view.add(accs, event.reset(p, 0, p.length, 0, 0));
                    bucket.put(GroupKey.of(symbol), accs);
                }
            }
        }
        BatchVersion v1 = new BatchVersion(1, 3, 4 * 3_600_000L, Map.of("bars", BatchRows.of(rows)));
        try (BatchViewStore writer = open(catalog)) {
            writer.publish(v1);
        }
        long rangeFile = sizeOf(dir.resolve("batch/v1/bars/r0.bin"));
        long bound = 5 * rangeFile;

        try (ParquetBatchViewStore store = (ParquetBatchViewStore) open(catalog, bound)) {
            BatchVersion loaded = store.load().version();
            // loading reads headers only
            assertThat(store.cache().size()).isZero();
            // the whole span, twice, then every day on its own: each answer is the plain map's
            for (int pass = 0; pass < 2; pass++) {
                assertThat(results(view, loaded.buckets("bars", Long.MIN_VALUE, Long.MAX_VALUE)))
                        .isEqualTo(results(view, rows)).hasSize(60 * 30 * 3);
            }
            for (int day = -30; day < 30; day++) {
                assertThat(results(view, loaded.buckets("bars", day * DAY, day * DAY + DAY)))
                        .isEqualTo(results(view, rows.subMap(day * DAY, true, day * DAY + DAY, false))).hasSize(30 * 3);
            }
            assertThat(store.cache().peakBytes()).isLessThanOrEqualTo(bound).isGreaterThanOrEqualTo(4 * rangeFile);
            assertThat(store.cache().size()).isLessThanOrEqualTo(5);
        }
    }

    @Test
    void when_aByteFlipsInARangesBinFile_then_itIsMovedAside_andOnlyQueriesOfItsBucketsFailUntilAFullPublish()
            throws IOException {
        Catalog catalog = new Catalog(ConfigLoader.parse("""
                streams:
                  trades: {time: ts, fields: {qty: long, batch: long}}
                views:
                  by_batch: {from: trades, group_by: [batch], granularity: 1d, measures: {n: count}}
                """, "test.yaml"));
        CompiledView view = catalog.view("by_batch");
        long second = ParquetBatchViewStore.BUCKETS_PER_RANGE * DAY;
        NavigableMap<Long, Map<GroupKey, Object[]>> rows = new TreeMap<>();
        rows.put(0L, new HashMap<>(Map.of(GroupKey.of(7L), view.createAccumulators())));
        rows.put(second, new HashMap<>(Map.of(GroupKey.of(8L), view.createAccumulators())));
        try (BatchViewStore store = open(catalog)) {
            store.publish(new BatchVersion(1, 3, 4 * 3_600_000L, Map.of("by_batch", BatchRows.of(rows))));
        }
        Path bin = dir.resolve("batch/v1/by_batch/r1.bin");
        byte[] content = Files.readAllBytes(bin);
        content[content.length / 2] ^= 0x10;
        Files.write(bin, content);

        try (BatchViewStore store = open(catalog)) {
            BatchViewStore.Loaded loaded = store.load();
            assertThat(loaded.stale()).isEmpty();
            assertThat(loaded.damaged()).singleElement().asString()
                    .contains(bin.toString(), "bytes 0 to " + (content.length - 1), "r1.bin.damaged");
            assertThat(bin.resolveSibling("r1.bin.damaged")).hasBinaryContent(content);
            assertThat(bin).doesNotExist();
            assertThat(loaded.version().buckets("by_batch", 0, 1).get(0L)).containsOnlyKeys(GroupKey.of(7L));
            assertThatThrownBy(() -> loaded.version().buckets("by_batch", second, second + 1))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining(bin.toString());
            store.publish(new BatchVersion(2, 4, 5 * 3_600_000L, Map.of("by_batch", BatchRows.of(rows))));
        }

        try (BatchViewStore store = open(catalog)) {
            BatchViewStore.Loaded loaded = store.load();
            assertThat(loaded.damaged()).isEmpty();
            assertThat(loaded.version().buckets("by_batch", Long.MIN_VALUE, Long.MAX_VALUE)).containsOnlyKeys(0L,
                    second);
        }
    }

    private static final long MINUTE = 60_000;
    private static final long DAY = 1_440 * MINUTE;

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each row's results, by "bucket/dims". */
    private static Map<String, List<Object>> results(CompiledView view,
                                                     NavigableMap<Long, Map<GroupKey, Object[]>> rows) {
        Map<String, List<Object>> out = new HashMap<>();
        rows.forEach((bucket, dims) -> dims.forEach((k, accs) -> out.put(bucket + "/" + k,
                List.of(view.results(accs)))));
        return out;
    }
}
