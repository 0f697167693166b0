package io.tandem.engine.query;

import io.tandem.core.GroupKey;
import io.tandem.core.time.Durations;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.view.Catalog;
import io.tandem.engine.view.CompiledView;
import io.tandem.engine.store.RealtimeStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Answers merged-view queries: every epoch's accumulators of a (dims, bucket) merged into one row. */
public final class QueryService {

    private final Catalog catalog;
    private final RealtimeStore store;

    public QueryService(Catalog catalog, RealtimeStore store) {
        this.catalog = catalog;
        this.store = store;
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
        Object[] wanted = dimensionFilter(view, q.dimensions());
        long from = Timestamps.bucketStart(q.fromMs(), g);
        long to = Math.addExact(Timestamps.bucketStart(q.toMs() - 1, g), g);
        Map<Long, Map<GroupKey, Object[]>> merged = new TreeMap<>();
        store.scan(view.name(), from, to, (key, accs) -> {
            if (!matches(key.dims(), wanted)) {
                return;
            }
            long bucket = Timestamps.bucketStart(key.bucket(), g);
            merged.computeIfAbsent(bucket, b -> new TreeMap<>()).merge(key.dims(), accs, view::merge);
        });
        List<QueryResult.Row> rows = new ArrayList<>();
        merged.forEach((bucket, groups) -> groups.forEach((dims, accs) ->
                rows.add(new QueryResult.Row(bucket, dims, view.results(accs)))));
        return new QueryResult(view.name(), g, view.def().groupBy(), view.measureNames(), QueryResult.Boundary.NONE,
                rows);
    }

    private static boolean matches(GroupKey dims, Object[] wanted) {
        for (int i = 0; i < wanted.length; i++) {
            if (wanted[i] != null && !wanted[i].equals(dims.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** The wanted value per group-by dimension (null: any), parsed to the dimension's type. */
    private static Object[] dimensionFilter(CompiledView view, Map<String, String> dims) {
        List<String> groupBy = view.def().groupBy();
        Object[] wanted = new Object[groupBy.size()];
        for (Map.Entry<String, String> e : dims.entrySet()) {
            int i = groupBy.indexOf(e.getKey());
            if (i < 0) {
                throw QueryException.badRequest("unknown parameter '" + e.getKey() + "' (view '" + view.name()
                        + "' dimensions: " + String.join(", ", groupBy) + "; parameters: from, to, granularity)");
            }
            String text = e.getValue();
            try {
                wanted[i] = switch (view.dimType(i)) {
                    case STRING -> text;
                    case LONG -> Long.parseLong(text);
                    case TIMESTAMP -> Timestamps.parse(text);
                    case DOUBLE -> Double.parseDouble(text);
                    case BOOLEAN -> parseBoolean(text);
                };
            } catch (IllegalArgumentException ex) {
                throw QueryException.badRequest(e.getKey() + ": expected " + view.dimType(i).configName() + ", got \""
                        + text + "\"");
            }
        }
        return wanted;
    }

    private static Boolean parseBoolean(String text) {
        if (text.equals("true") || text.equals("false")) {
            return Boolean.valueOf(text);
        }
        throw new IllegalArgumentException(text);
    }
}
