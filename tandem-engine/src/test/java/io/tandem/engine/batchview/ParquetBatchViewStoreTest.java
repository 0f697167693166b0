package io.tandem.engine.batchview;

import io.tandem.core.DuckDbDef;
import io.tandem.core.GroupKey;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.spi.batch.BatchVersion;
import io.tandem.spi.batch.BatchViewStore;
import io.tandem.spi.testkit.BatchViewStoreContract;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local batch view store passes the contract, on a temporary folder, and reads the versions written before
 * it stored views by range.
 */
class ParquetBatchViewStoreTest extends BatchViewStoreContract {

    @TempDir
    Path dir;

    @Override
    protected BatchViewStore open(Catalog catalog) {
        return new ParquetBatchViewStore(dir.resolve("batch"), catalog, new DuckDb(DuckDbDef.defaults(),
                dir.resolve("tmp")));
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
        BatchVersion v1 = new BatchVersion(1, 3, 4 * 3_600_000L, Map.of("by_batch", rows));
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

        try (ParquetBatchViewStore store = (ParquetBatchViewStore) open(catalog)) {
            assertThat(store.parquetFiles(1, "by_batch")).containsExactly(version.resolve("by_batch.parquet"));
            assertThat(store.parquetGlob(1, "by_batch")).isEqualTo(version.resolve("by_batch.parquet").toString());
            BatchVersion loaded = store.load().version();
            assertThat(loaded.rows("by_batch")).isEqualTo(1);
            assertThat(loaded.views().get("by_batch").get(0L)).containsOnlyKeys(GroupKey.of(7L));
            BatchVersion v2 = new BatchVersion(2, 4, 5 * 3_600_000L, loaded.views());
            assertThat(store.publish(v2)).isEqualTo(new BatchViewStore.Published(1, 0));
            assertThat(store.parquetFiles(2, "by_batch")).containsExactly(dir.resolve("batch").resolve("v2")
                    .resolve("by_batch").resolve("r0.parquet"));
            assertThat(store.parquetFiles(2, "trades_1m")).isEmpty();
        }
    }
}
