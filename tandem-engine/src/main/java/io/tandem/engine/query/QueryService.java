package io.tandem.engine.query;

import io.tandem.core.GroupKey;
import io.tandem.core.time.Durations;
import io.tandem.core.time.Timestamps;
import io.tandem.spi.batch.BatchVersion;
import io.tandem.engine.batchview.BatchViews;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Answers merged-view queries: for each (dims, bucket), {@code batch_B ⊕ Σ realtime(epoch > B)}. Every event
 * belongs to exactly one epoch, so it is counted by the batch view or by the real-time store, never both and
 * never neither. A query reads the batch version that was current when it started, to the end.
 */
public final class QueryService {

    private final Catalog catalog;
    private final RealtimeStore store;
    private final BatchViews batch;

    public QueryService(Catalog catalog, RealtimeStore store, BatchViews batch) {
        this.catalog = catalog;
        this.store = store;
        this.batch = batch;
    }

    public QueryResult query(ViewQuery q) {
        CompiledView view = catalog.view(q.view());
        if (view == null) {
            throw QueryException.notFound("unknown view '" + q.view() + "' (views: "
                    + String.join(", ", catalog.views().keySet()) + ")");
        }
        long viewGranularity = view.def().granularityMs();
        long g = q.granularityMs() == 0 ? viewGranularity : q.granularityMs();
        if (g <= 0 || g % viewGranularity != 0) {
            throw QueryException.badRequest("granularity: " + Durations.format(g) + " is not a multiple of view '"
                    + view.name() + "' granularity " + Durations.format(viewGranularity));
        }
        if (q.toMs() <= q.fromMs()) {
            throw QueryException.badRequest("to: must be after from (from " + Timestamps.format(q.fromMs()) + ", to "
                    + Timestamps.format(q.toMs()) + ")");
        }
        DimensionFilter wanted = DimensionFilter.parse(view, q.dimensions(), "from, to, granularity");
        BucketRange range = BucketRange.of(q.fromMs(), q.toMs(), g);
        return batch.read(version -> merge(view, version, wanted, range.from(), range.to(), g));
    }

    private QueryResult merge(CompiledView view, BatchVersion version, DimensionFilter wanted, long from, long to,
                              long g) {
        long boundary = version.boundaryEpoch();
        Map<Long, Map<GroupKey, Cell>> merged = new TreeMap<>();
        GroupKey exact = wanted.exactKey();
        boolean all = wanted.acceptsAll();
        version.forEachBucket(view.name(), from, to, (viewBucket, rows) -> {
            long bucket = Timestamps.bucketStart(viewBucket, g);
            if (exact != null) {
                Object[] accs = rows.get(exact);
                if (accs != null) {
                    cell(merged, bucket, exact).addBatch(view, accs);
                }
                return;
            }
            Map<GroupKey, Cell> cells = merged.computeIfAbsent(bucket, k -> new HashMap<>());
            rows.forEach((dims, accs) -> {
                if (all || wanted.matches(dims)) {
                    cells.computeIfAbsent(dims, k -> new Cell()).addBatch(view, accs);
                }
            });
        });
        RealtimeStore.Visitor realtime = (key, accs) -> {
            if (key.epoch() > boundary) {
                cell(merged, Timestamps.bucketStart(key.bucket(), g), key.dims()).addRealtime(view, accs, null);
            }
        };
        if (exact != null) {
            store.scanGroup(view.name(), exact, from, to, realtime);
        } else {
            store.scan(view.name(), from, to, wanted::matches, realtime);
        }
        List<QueryResult.Row> rows = new ArrayList<>();
        merged.forEach((bucket, groups) -> {
            List<Map.Entry<GroupKey, Cell>> sorted = new ArrayList<>(groups.entrySet());
            sorted.sort(Map.Entry.comparingByKey());
            for (Map.Entry<GroupKey, Cell> e : sorted) {
                Cell cell = e.getValue();
                rows.add(new QueryResult.Row(bucket, e.getKey(), view.row(cell.accs), cell.source()));
            }
        });
        QueryResult.Boundary b = version.isEmpty() ? QueryResult.Boundary.NONE
                : new QueryResult.Boundary(boundary, version.untilMs(), version.version());
        return new QueryResult(view.name(), g, view.def().groupBy(), view.columnNames(), b, rows);
    }

    /**
     * The merged row of one (dims, bucket) of a view at the view's own granularity, as a query would answer it, or
     * null when it holds no event.
     */
    public QueryResult.Row row(String viewName, GroupKey dims, long bucket) {
        return row(viewName, dims, bucket, null);
    }

    /**
     * The merged row of one group as {@link #row(String, GroupKey, long)} gives it, with only the measures that
     * {@code measures} marks (by the view's measure index) merged and the others null; null marks all of them.
     */
    public QueryResult.Row row(String viewName, GroupKey dims, long bucket, boolean[] measures) {
        CompiledView view = catalog.view(viewName);
        return batch.read(version -> {
            Cell cell = new Cell();
            Map<GroupKey, Object[]> rows = version.buckets(viewName, bucket, bucket + 1).get(bucket);
            Object[] batchAccs = rows == null ? null : rows.get(dims);
            if (batchAccs != null) {
                cell.addBatch(view, batchAccs);
            }
            store.read(viewName, dims, bucket, measures, (key, accs) -> {
                if (key.epoch() > version.boundaryEpoch()) {
                    cell.addRealtime(view, accs, measures);
                }
            });
            return cell.accs == null ? null
                    : new QueryResult.Row(bucket, dims, view.row(cell.accs, measures), cell.source());
        });
    }

    private static Cell cell(Map<Long, Map<GroupKey, Cell>> merged, long bucket, GroupKey dims) {
        return merged.computeIfAbsent(bucket, k -> new HashMap<>()).computeIfAbsent(dims, k -> new Cell());
    }

    /**
     * The accumulators of one result row, and which paths contributed to them. A batch version's accumulators are
     * read in place (a published version never changes, and a merge only reads its right side); they are copied
     * only when another part merges into them.
     */
    private static final class Cell {
        Object[] accs;
        boolean borrowed;
        boolean fromBatch;
        boolean fromRealtime;

        void addBatch(CompiledView view, Object[] published) {
            if (accs == null) {
                accs = published;
                borrowed = true;
            } else {
                add(view, published, null);
            }
            fromBatch = true;
        }

        void addRealtime(CompiledView view, Object[] owned, boolean[] measures) {
            add(view, owned, measures);
            fromRealtime = true;
        }

        private void add(CompiledView view, Object[] owned, boolean[] measures) {
            if (accs == null) {
                accs = owned;
                return;
            }
            if (borrowed) {
                accs = view.copy(accs, measures);
                borrowed = false;
            }
            accs = view.merge(accs, owned, measures);
        }

        String source() {
            return fromBatch && fromRealtime ? "both" : fromBatch ? "batch" : "realtime";
        }
    }

}
