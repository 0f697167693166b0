package io.tandem.engine.batch;

import io.tandem.core.FieldType;
import io.tandem.core.GroupKey;
import io.tandem.core.Measure;
import io.tandem.core.MeasureDef;
import io.tandem.core.StreamDef;
import io.tandem.core.ValueRow;
import io.tandem.core.expr.Expressions;
import io.tandem.core.expr.SqlColumns;
import io.tandem.core.measure.Measures;
import io.tandem.core.measure.SqlForm;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.spi.batch.BatchEngine;
import io.tandem.spi.view.CompiledView;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The embedded batch engine: an in-process DuckDB database of its own ({@code jdbc:duckdb:}) reads the lake's
 * Parquet files. A view runs in up to three kinds of passes over the files:
 *
 * <ol>
 *   <li>the <b>exact pass</b>, one {@code GROUP BY} query over (dims, bucket[, epoch]) with the view's {@code where}
 *       as a WHERE clause and the SQL form ({@link Measures#sqlForm}) of every measure that has one, read into
 *       accumulators by {@link SqlForm#fromSql}; it also lists every group;</li>
 *   <li>a <b>sketch pass</b> per distinct or quantile measure: the group and the {@code list} of its values of
 *       the rows that pass both conditions, streamed into the measure's own {@code add}, so the sketch type,
 *       parameters and hashing are the hot path's. The list keeps repeats, also for distinct: DuckDB's
 *       {@code list(DISTINCT v)} runs out of a 1 GiB memory limit on 100 M rows, where {@code list(v)} does
 *       not, and is slower whenever most values differ;</li>
 *   <li>the <b>Java pass</b>, when a condition is outside the CEL subset that translates to SQL
 *       ({@link Expressions#toSql}): every field of every row, streamed into the view's own measures. For a
 *       measure's condition only that measure runs there; for the view's condition the whole view does
 *       ({@link CompiledView#accepts}, {@link CompiledView#add}). Correct, and several times slower.</li>
 * </ol>
 *
 * <p>Groups follow the hot path exactly: the bucket is {@code time_bucket} of the time column (the floor, before
 * 1970 too), timestamp dims are epoch ms, and a double dim is grouped with its sign bit, since DuckDB holds -0.0
 * and 0.0 equal where {@link GroupKey} does not. Not thread-safe: one aggregate at a time.
 */
public final class DuckDbBatchEngine implements BatchEngine {

    private static final long DAY_MS = 86_400_000L;

    private final Connection connection;

    /** An engine in its own DuckDB instance, within {@code duckdb}'s limits. */
    public DuckDbBatchEngine(DuckDb duckdb) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("jdbc_stream_results", "true");
        properties.setProperty("preserve_insertion_order", "false");
        try {
            connection = duckdb.open("batch-engine", properties);
        } catch (SQLException e) {
            throw new IOException("cannot open DuckDB: " + e.getMessage(), e);
        }
    }

    /** The engine's own connection, so that a benchmark can time other SQL in the same database. */
    Connection connection() {
        return connection;
    }

    @Override
    public void aggregate(CompiledView view, List<Path> parquetFiles, boolean byEpoch, Visitor visitor)
            throws IOException {
        if (parquetFiles.isEmpty()) {
            return;
        }
        try {
            new Run(view, parquetFiles, byEpoch).execute(visitor);
        } catch (SQLException e) {
            throw new IOException("batch of view '" + view.name() + "' failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IOException("cannot close DuckDB: " + e.getMessage(), e);
        }
    }

    /** The lake files as a SQL list of paths. */
    static String fileList(List<Path> files) {
        return "[" + files.stream().map(f -> SqlColumns.literal(f.toString())).collect(Collectors.joining(", ")) + "]";
    }

    /** The lake files as a SQL table. */
    static String source(List<Path> files) {
        return "read_parquet(" + fileList(files) + ")";
    }

    /** The bucket start as a TIMESTAMP: the floor of the event time to the granularity, aligned on 1970. */
    static String bucket(SqlColumns columns, long granularityMs) {
        String width = "to_milliseconds(CAST(" + granularityMs + " AS BIGINT))";
        // time_bucket's default origin (2000-01-03) is a midnight, so it aligns on 1970 when g divides a day
        return DAY_MS % granularityMs == 0
                ? "time_bucket(" + width + ", " + columns.timeColumn() + ")"
                : "time_bucket(" + width + ", " + columns.timeColumn() + ", TIMESTAMP '1970-01-01 00:00:00')";
    }

    /** One group: dims, bucket and epoch ({@link Long#MIN_VALUE} when not by epoch). */
    private record GroupRef(GroupKey dims, long bucket, long epoch) {
    }

    /** One aggregate call: the plan of the passes and the groups built so far. */
    private final class Run {

        private final CompiledView view;
        private final StreamDef stream;
        private final Measure<Object>[] measures;
        private final List<MeasureDef> defs;
        private final boolean byEpoch;
        private final String fileList;
        private final String source;
        private final SqlColumns columns;
        /** The view's condition in SQL, null when it has none or it does not translate. */
        private final String viewWhere;
        private final boolean viewInSql;
        private final List<String> groupExprs = new ArrayList<>();
        private final List<String> groupSelect = new ArrayList<>();
        private final Map<GroupRef, Object[]> groups = new HashMap<>();

        Run(CompiledView view, List<Path> files, boolean byEpoch) throws SQLException {
            this.view = view;
            this.stream = view.stream();
            this.measures = view.measures();
            this.defs = List.copyOf(view.def().measures().values());
            this.byEpoch = byEpoch;
            this.fileList = fileList(files);
            this.source = source(files);
            SqlColumns lake = SqlColumns.lake(stream);
            this.columns = defs.stream().anyMatch(d -> isFirstOrLast(d.function())) ? withOrderRange(lake) : lake;
            String where = view.def().where();
            this.viewWhere = where == null ? null : Expressions.toSql(where, columns).orElse(null);
            this.viewInSql = where == null || viewWhere != null;
            List<String> dims = view.def().groupBy();
            for (int i = 0; i < dims.size(); i++) {
                String column = SqlColumns.quote(dims.get(i));
                FieldType type = view.dimType(i);
                String expr = type == FieldType.TIMESTAMP ? "epoch_ms(" + column + ")" : column;
                groupExprs.add(expr);
                groupSelect.add(expr);
                if (type == FieldType.DOUBLE) {
                    groupExprs.add("signbit(" + column + ")");
                    groupSelect.add("signbit(" + column + ")");
                }
            }
            String bucket = bucket(columns, view.def().granularityMs());
            groupExprs.add(bucket);
            groupSelect.add("epoch_ms(" + bucket + ")");
            if (byEpoch) {
                groupExprs.add(columns.epoch());
                groupSelect.add(columns.epoch());
            }
        }

        private static boolean isFirstOrLast(String function) {
            String f = function.toLowerCase(Locale.ROOT);
            return f.equals("first") || f.equals("last");
        }

        /**
         * The columns with a packed order key when the files' arrival, partition and offset ranges allow it. The
         * ranges come from the Parquet statistics, or from a scan when a file has none.
         */
        private SqlColumns withOrderRange(SqlColumns lake) throws SQLException {
            String arrival = SqlColumns.quote(SqlColumns.ARRIVAL);
            String partition = SqlColumns.quote(SqlColumns.PARTITION);
            String offset = SqlColumns.quote(SqlColumns.OFFSET);
            String statistics = "SELECT epoch_ms(min(" + stat("min", SqlColumns.ARRIVAL, "TIMESTAMP")
                    + ")), epoch_ms(max(" + stat("max", SqlColumns.ARRIVAL, "TIMESTAMP") + ")), max("
                    + stat("max", SqlColumns.PARTITION, "BIGINT") + "), min(" + stat("min", SqlColumns.OFFSET, "BIGINT")
                    + "), max(" + stat("max", SqlColumns.OFFSET, "BIGINT") + "), count(*) FILTER (WHERE path_in_schema"
                    + " IN ('" + SqlColumns.ARRIVAL + "', '" + SqlColumns.PARTITION + "', '" + SqlColumns.OFFSET
                    + "') AND (stats_min IS NULL OR stats_max IS NULL)) FROM parquet_metadata(" + fileList + ")";
            String scan = "SELECT epoch_ms(min(" + arrival + ")), epoch_ms(max(" + arrival + ")), max(" + partition
                    + "), min(" + offset + "), max(" + offset + "), 0 FROM " + source;
            for (String sql : List.of(statistics, scan)) {
                try (Statement s = connection.createStatement(); ResultSet rs = query(s, sql)) {
                    rs.next();
                    boolean complete = rs.getLong(6) == 0;
                    for (int c = 1; c <= 5; c++) {
                        complete &= rs.getObject(c) != null;
                    }
                    if (complete) {
                        return lake.withOrderRange(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getLong(4),
                                rs.getLong(5));
                    }
                }
            }
            return lake;
        }

        /** A lake column's Parquet statistic ({@code stats_min} or {@code stats_max}) as {@code type}. */
        private static String stat(String which, String column, String type) {
            return "CASE WHEN path_in_schema = '" + column + "' THEN CAST(stats_" + which + " AS " + type + ") END";
        }

        @SuppressWarnings("unchecked")
        void execute(Visitor visitor) throws SQLException {
            if (!viewInSql) {
                javaPass(null);
                visitAll(visitor);
                return;
            }
            SqlForm<Object>[] forms = new SqlForm[measures.length];
            List<Integer> sketches = new ArrayList<>();
            List<Integer> inJava = new ArrayList<>();
            for (int i = 0; i < measures.length; i++) {
                forms[i] = Measures.sqlForm(measures[i], columns).orElse(null);
                if (forms[i] != null) {
                    continue;
                }
                String where = defs.get(i).where();
                boolean whereInSql = where == null || Expressions.toSql(where, columns).isPresent();
                String function = defs.get(i).function().toLowerCase(Locale.ROOT);
                // the sketch pass hands SQL's values to the measure as a declared field's, which a derived one is not
                boolean sketch = (function.equals("distinct") || function.equals("quantile"))
                        && stream.derived(defs.get(i).field()) == null;
                (whereInSql && sketch ? sketches : inJava).add(i);
            }
            boolean direct = sketches.isEmpty() && inJava.isEmpty();
            exactPass(forms, direct ? visitor : null);
            for (int i : sketches) {
                sketchPass(i);
            }
            if (!inJava.isEmpty()) {
                javaPass(inJava.stream().mapToInt(Integer::intValue).toArray());
            }
            if (!direct) {
                visitAll(visitor);
            }
        }

        /** The GROUP BY query; hands each group to {@code visitor}, or keeps it when the visitor is null. */
        private void exactPass(SqlForm<Object>[] forms, Visitor visitor) throws SQLException {
            Map<String, Integer> aggregates = new LinkedHashMap<>();
            int[][] positions = new int[forms.length][];
            for (int i = 0; i < forms.length; i++) {
                if (forms[i] != null) {
                    positions[i] = forms[i].aggregates().stream()
                            .mapToInt(a -> aggregates.computeIfAbsent(a, k -> aggregates.size())).toArray();
                }
            }
            List<String> select = new ArrayList<>(groupSelect);
            select.addAll(aggregates.keySet());
            String sql = "SELECT " + String.join(", ", select) + " FROM " + source
                    + (viewWhere == null ? "" : " WHERE " + viewWhere) + " GROUP BY " + String.join(", ", groupExprs);
            try (Statement s = connection.createStatement(); ResultSet rs = query(s, sql)) {
                Object[] values = new Object[aggregates.size()];
                while (rs.next()) {
                    GroupRef group = readGroup(rs);
                    int first = groupSelect.size() + 1;
                    for (int a = 0; a < values.length; a++) {
                        values[a] = rs.getObject(first + a);
                    }
                    Object[] accs = new Object[forms.length];
                    for (int i = 0; i < forms.length; i++) {
                        accs[i] = forms[i] == null ? measures[i].create()
                                : forms[i].fromSql(pick(values, positions[i]), 0);
                    }
                    if (visitor == null) {
                        groups.put(group, accs);
                    } else {
                        visitor.accept(group.dims(), group.bucket(), group.epoch(), accs);
                    }
                }
            }
        }

        private static Object[] pick(Object[] values, int[] positions) {
            Object[] out = new Object[positions.length];
            for (int j = 0; j < positions.length; j++) {
                out[j] = values[positions[j]];
            }
            return out;
        }

        /**
         * Streams each group's values of measure {@code i} (as one list per group: a row per value costs five
         * times more in JDBC) into its unfiltered measure; SQL applied both conditions.
         */
        private void sketchPass(int i) throws SQLException {
            MeasureDef def = defs.get(i);
            Measure<Object> measure = Measures.unfiltered(measures[i]);
            String value = columns.value(def.field());
            List<String> conditions = new ArrayList<>();
            if (viewWhere != null) {
                conditions.add("(" + viewWhere + ")");
            }
            if (def.where() != null) {
                conditions.add("(" + Expressions.toSql(def.where(), columns).orElseThrow() + ")");
            }
            conditions.add(value + " IS NOT NULL");
            String list = "list(" + value + ")";
            String sql = "SELECT " + String.join(", ", groupSelect) + ", " + list + " FROM " + source + " WHERE "
                    + String.join(" AND ", conditions) + " GROUP BY " + String.join(", ", groupExprs);
            int field = stream.indexOf(def.field());
            ValueRow row = new ValueRow(stream.fields().size());
            try (Statement s = connection.createStatement(); ResultSet rs = query(s, sql)) {
                while (rs.next()) {
                    GroupRef group = readGroup(rs);
                    Object acc = groups.computeIfAbsent(group, g -> view.createAccumulators())[i];
                    for (Object v : (Object[]) rs.getArray(groupSelect.size() + 1).getArray()) {
                        if (field >= 0) {
                            row.set(field, v);
                        } else {
                            row.position(((Number) v).longValue(), 0, 0);
                        }
                        measure.add(acc, row);
                    }
                }
            }
        }

        /**
         * Streams every field of every row into Java: into the measures {@code only}, or, when null, through the
         * view's own condition into all its measures.
         */
        private void javaPass(int[] only) throws SQLException {
            List<String> select = new ArrayList<>();
            for (int f = 0; f < stream.fields().size(); f++) {
                select.add(columns.value(stream.field(f).name()));
            }
            select.add(columns.eventTime());
            select.add(columns.arrivalTime());
            select.add(columns.sequence());
            select.add(columns.epoch());
            String sql = "SELECT " + String.join(", ", select) + " FROM " + source
                    + (only != null && viewWhere != null ? " WHERE " + viewWhere : "");
            int fields = stream.fields().size();
            ValueRow row = new ValueRow(fields);
            try (Statement s = connection.createStatement(); ResultSet rs = query(s, sql)) {
                while (rs.next()) {
                    for (int f = 0; f < fields; f++) {
                        row.set(f, rs.getObject(f + 1));
                    }
                    row.position(rs.getLong(fields + 1), rs.getLong(fields + 2), rs.getLong(fields + 3));
                    if (only == null && !view.accepts(row)) {
                        continue;
                    }
                    GroupRef group = new GroupRef(view.keyOf(row), view.bucketOf(row),
                            byEpoch ? rs.getLong(fields + 4) : Long.MIN_VALUE);
                    Object[] accs = groups.computeIfAbsent(group, g -> view.createAccumulators());
                    if (only == null) {
                        view.add(accs, row);
                    } else {
                        for (int i : only) {
                            measures[i].add(accs[i], row);
                        }
                    }
                }
            }
        }

        private GroupRef readGroup(ResultSet rs) throws SQLException {
            int dims = view.def().groupBy().size();
            Object[] values = new Object[dims];
            int c = 1;
            for (int i = 0; i < dims; i++) {
                Object v = rs.getObject(c++);
                if (view.dimType(i) == FieldType.DOUBLE) {
                    boolean negative = Boolean.TRUE.equals(rs.getObject(c++));
                    if (v != null && (Double) v == 0.0) {
                        v = negative ? -0.0 : 0.0;
                    }
                }
                values[i] = v;
            }
            long bucket = rs.getLong(c++);
            long epoch = byEpoch ? rs.getLong(c) : Long.MIN_VALUE;
            return new GroupRef(GroupKey.of(values), bucket, epoch);
        }

        /** Runs a query; a failure names the SQL. */
        private ResultSet query(Statement statement, String sql) throws SQLException {
            try {
                return statement.executeQuery(sql);
            } catch (SQLException e) {
                throw new SQLException(e.getMessage() + " in: " + sql, e.getSQLState(), e);
            }
        }

        private void visitAll(Visitor visitor) {
            groups.forEach((g, accs) -> visitor.accept(g.dims(), g.bucket(), g.epoch(), accs));
        }
    }
}
