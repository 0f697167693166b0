package io.tandem.engine.batch;

import io.tandem.core.MeasureDef;
import io.tandem.core.ViewDef;
import io.tandem.core.expr.Expressions;
import io.tandem.core.expr.SqlColumns;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.spi.view.CompiledView;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The incremental batch benchmark: {@link DuckDbBatchEngine#aggregate} by epoch (the shape of an incremental run)
 * against the query a person would write by hand for the same exact aggregates, in the same DuckDB database over
 * the same files, each timed warm as the median of several runs.
 *
 * <p>The hand-written query groups by the dims, {@code time_bucket} of the time column and {@code _epoch}, and uses
 * DuckDB's plain aggregates: {@code count}, {@code sum}, {@code min}, {@code max}, {@code avg},
 * {@code var_pop}, {@code arg_min(f, time)} for first, {@code arg_max(f, time)} for last, and {@code FILTER} for a
 * {@code where}; its result is materialized with {@code CREATE TEMP TABLE ... AS} (DuckDB would drop aggregates
 * nobody reads). It breaks event-time ties arbitrarily and sums doubles uncompensated: it is a lower bound, not an
 * equivalent. The view's distinct and quantile measures run as a separate timed engine call.
 */
public final class BatchBenchmark {

    /**
     * Median wall times in seconds.
     *
     * @param groups        groups the exact pass produced
     * @param engineSeconds the engine over the exact measures
     * @param sqlSeconds    the hand-written query over the same measures
     * @param sketchSeconds the engine over the sketch measures alone (their group listing included); 0 when none
     * @param sql           the hand-written query, for the record
     */
    public record Result(long groups, double engineSeconds, double sqlSeconds, double sketchSeconds, String sql) {

        /** Engine time over hand-written SQL time, exact measures. */
        public double ratio() {
            return engineSeconds / sqlSeconds;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "groups %d, engine %.3f s, hand-written SQL %.3f s, ratio %.2f, "
                    + "sketch measures %.3f s", groups, engineSeconds, sqlSeconds, ratio(), sketchSeconds);
        }
    }

    private BatchBenchmark() {
    }

    /**
     * @param view        the view to time; its stream's lake files are {@code files}
     * @param repetitions timed runs of each part after one warm-up run
     * @param duckdb      the limits of the DuckDB instance both run in
     * @throws IllegalArgumentException when a condition of the view does not translate to SQL
     */
    public static Result run(CompiledView view, List<Path> files, int repetitions, DuckDb duckdb)
            throws IOException {
        ViewDef def = view.def();
        Map<String, MeasureDef> exact = new LinkedHashMap<>();
        Map<String, MeasureDef> sketches = new LinkedHashMap<>();
        def.measures().forEach((name, m) -> (isSketch(m) ? sketches : exact).put(name, m));
        CompiledView exactView = new CompiledView(withMeasures(def, exact), view.stream());
        String sql = handWritten(exactView, files);
        try (DuckDbBatchEngine engine = new DuckDbBatchEngine(duckdb)) {
            AtomicLong groups = new AtomicLong();
            double engineSeconds = median(repetitions, () -> {
                groups.set(0);
                engine.aggregate(exactView, files, true, (dims, bucket, epoch, accs) -> groups.incrementAndGet());
            });
            double sqlSeconds = median(repetitions, () -> {
                try (Statement s = engine.connection().createStatement()) {
                    s.execute("CREATE OR REPLACE TEMP TABLE bench_hand_written AS " + sql);
                    s.execute("DROP TABLE bench_hand_written");
                } catch (SQLException e) {
                    throw new IOException(e.getMessage() + " in: " + sql, e);
                }
            });
            double sketchSeconds = 0;
            if (!sketches.isEmpty()) {
                CompiledView sketchView = new CompiledView(withMeasures(def, sketches), view.stream());
                sketchSeconds = median(repetitions, () -> engine.aggregate(sketchView, files, true,
                        (dims, bucket, epoch, accs) -> { }));
            }
            return new Result(groups.get(), engineSeconds, sqlSeconds, sketchSeconds, sql);
        }
    }

    /** The query a person would write for the view's exact measures, grouped by epoch as the engine run is. */
    static String handWritten(CompiledView view, List<Path> files) {
        ViewDef def = view.def();
        SqlColumns columns = SqlColumns.lake(view.stream());
        String time = columns.timeColumn();
        List<String> select = new ArrayList<>();
        def.groupBy().forEach(d -> select.add(SqlColumns.quote(d)));
        select.add("time_bucket(INTERVAL " + def.granularityMs() + " MILLISECOND, " + time + ") AS bucket");
        select.add(columns.epoch());
        for (MeasureDef m : def.measures().values()) {
            String f = m.field() == null ? "*" : SqlColumns.quote(m.field());
            String aggregate = switch (m.function().toLowerCase(Locale.ROOT)) {
                case "first" -> "arg_min(" + f + ", " + time + ")";
                case "last" -> "arg_max(" + f + ", " + time + ")";
                case "mean" -> "avg(" + f + ")";
                case "variance" -> "var_pop(" + f + ")";
                default -> m.function().toLowerCase(Locale.ROOT) + "(" + f + ")";
            };
            if (m.where() != null) {
                aggregate += " FILTER (WHERE " + sql(m.where(), columns) + ")";
            }
            select.add(aggregate);
        }
        String where = def.where() == null ? "" : " WHERE " + sql(def.where(), columns);
        return "SELECT " + String.join(", ", select) + " FROM " + DuckDbBatchEngine.source(files) + where
                + " GROUP BY ALL";
    }

    private static String sql(String cel, SqlColumns columns) {
        return Expressions.toSql(cel, columns).orElseThrow(() -> new IllegalArgumentException(
                "no hand-written SQL for condition \"" + cel + "\": it is outside the subset that translates"));
    }

    private static boolean isSketch(MeasureDef m) {
        String f = m.function().toLowerCase(Locale.ROOT);
        return f.equals("distinct") || f.equals("quantile");
    }

    private static ViewDef withMeasures(ViewDef def, Map<String, MeasureDef> measures) {
        return new ViewDef(def.name(), def.from(), def.groupBy(), def.granularityMs(), def.where(), measures);
    }

    @FunctionalInterface
    private interface Timed {
        void run() throws IOException;
    }

    private static double median(int repetitions, Timed timed) throws IOException {
        timed.run();
        double[] seconds = new double[Math.max(1, repetitions)];
        for (int i = 0; i < seconds.length; i++) {
            long start = System.nanoTime();
            timed.run();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        return seconds[seconds.length / 2];
    }
}
