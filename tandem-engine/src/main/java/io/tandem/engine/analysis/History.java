package io.tandem.engine.analysis;

import io.tandem.core.AnalysisDef;
import io.tandem.core.ViewDef;
import io.tandem.engine.batchview.ParquetBatchViewStore;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.QueryService;
import io.tandem.engine.query.ViewQuery;
import io.tandem.spi.batch.BatchVersion;
import org.duckdb.DuckDBConnection;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static io.tandem.core.expr.SqlColumns.quote;

/**
 * One group's history of an analysis's measure, exact: the published batch view's Parquet file, read with DuckDB,
 * for what the batch covers, and the merged query for the rows the real-time store adds to (source {@code realtime}
 * or {@code both}), which replace the batch's. Both are read against the same batch version (retried when a publish
 * falls in between), so each bucket is counted once, as a merged query would count it.
 */
final class History {

    private static final int ATTEMPTS = 5;

    private final QueryService queries;
    private final ParquetBatchViewStore batchViews;
    private final Supplier<BatchVersion> current;
    private final DuckDBConnection db;

    /** @param duckdb opens {@code analysis-history}, the instance the deep passes read the batch views with */
    History(QueryService queries, ParquetBatchViewStore batchViews, Supplier<BatchVersion> current, DuckDb duckdb) {
        try {
            this.db = duckdb.open("analysis-history");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open DuckDB for the analyses' history", e);
        }
        this.queries = queries;
        this.batchViews = batchViews;
        this.current = current;
    }

    /** The group's values per bucket in {@code [fromMs, toMs)}, oldest first, summed over the other dimensions. */
    List<DeepScorer.Point> read(AnalysisDef def, ViewDef view, Map<String, Object> dims, long fromMs, long toMs) {
        Map<String, String> filter = new HashMap<>();
        dims.forEach((k, v) -> filter.put(k, String.valueOf(v)));
        for (int attempt = 1; ; attempt++) {
            BatchVersion version = current.get();
            Map<Row, Double> rows = new HashMap<>();
            List<Path> files = version.isEmpty() ? List.of() : batchViews.parquetFiles(version.version(), view.name());
            if (!files.isEmpty()) {
                fromParquet(files, def, view, dims, fromMs, toMs, rows);
            }
            QueryResult merged = queries.query(new ViewQuery(view.name(), fromMs, toMs, 0, filter));
            if (merged.boundary().version() != version.version() && attempt < ATTEMPTS) {
                continue;
            }
            int m = merged.measures().indexOf(def.measure());
            for (QueryResult.Row r : merged.rows()) {
                if (!"batch".equals(r.source()) || version.isEmpty()) {
                    Object v = r.values()[m];
                    Row key = new Row(r.bucket(), keyOf(r.dims().size(), r.dims()::get));
                    if (v instanceof Number n) {
                        rows.put(key, n.doubleValue());
                    } else {
                        rows.remove(key);
                    }
                }
            }
            Map<Long, Double> byBucket = new TreeMap<>();
            rows.forEach((k, v) -> byBucket.merge(k.bucket, v, Double::sum));
            List<DeepScorer.Point> out = new ArrayList<>(byBucket.size());
            byBucket.forEach((b, v) -> out.add(new DeepScorer.Point(b, v)));
            return out;
        }
    }

    /** One row of the view: its bucket and all its dimensions, as text. */
    private record Row(long bucket, List<String> dims) {
    }

    private interface Dim {
        Object get(int i);
    }

    private static List<String> keyOf(int n, Dim dim) {
        List<String> key = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            key.add(String.valueOf(dim.get(i)));
        }
        return key;
    }

    private void fromParquet(List<Path> files, AnalysisDef def, ViewDef view, Map<String, Object> dims,
                             long fromMs, long toMs, Map<Row, Double> out) {
        StringBuilder sql = new StringBuilder("SELECT epoch_ms(bucket)");
        for (String d : view.groupBy()) {
            sql.append(", CAST(").append(quote(d)).append(" AS VARCHAR)");
        }
        sql.append(", CAST(").append(quote(def.measure())).append(" AS DOUBLE) FROM read_parquet([")
                .append(files.stream().map(f -> "'" + f.toString().replace("'", "''") + "'")
                        .collect(Collectors.joining(", ")))
                .append("]) WHERE epoch_ms(bucket) >= ? AND epoch_ms(bucket) < ?");
        for (String d : dims.keySet()) {
            sql.append(" AND CAST(").append(quote(d)).append(" AS VARCHAR) = ?");
        }
        try (Connection c = db.duplicate();
             PreparedStatement st = c.prepareStatement(sql.toString())) {
            st.setLong(1, fromMs);
            st.setLong(2, toMs);
            int p = 3;
            for (Object v : dims.values()) {
                st.setString(p++, String.valueOf(v));
            }
            try (ResultSet rs = st.executeQuery()) {
                int n = view.groupBy().size();
                while (rs.next()) {
                    double value = rs.getDouble(n + 2);
                    if (rs.wasNull()) {
                        continue;
                    }
                    List<String> key = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        key.add(rs.getString(i + 2));
                    }
                    out.put(new Row(rs.getLong(1), key), value);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the history of " + def.name() + " from " + files, e);
        }
    }

    /** Closes the DuckDB instance; called once no deep pass runs any more. */
    void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new IllegalStateException("closing the analyses' DuckDB failed", e);
        }
    }
}
