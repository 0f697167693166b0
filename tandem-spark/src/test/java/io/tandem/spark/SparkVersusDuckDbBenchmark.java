package io.tandem.spark;

import io.tandem.core.DuckDbDef;
import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;
import io.tandem.core.UnknownFields;
import io.tandem.core.ViewDef;
import io.tandem.core.expr.SqlColumns;
import io.tandem.engine.batch.DuckDbBatchEngine;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.spi.batch.BatchEngine;
import io.tandem.spi.view.CompiledView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Times {@link SparkBatchEngine} (local[2]) against {@link DuckDbBatchEngine} on the same lake: by epoch, over
 * {@code -Dbench.rows} trades (default 4,000,000) of 1,000 symbols in 10 epochs × 4 partitions, a view of exact
 * measures and one of sketch measures, each the median of {@value #RUNS} warm runs. Not part of the build (the
 * name does not end in Test):
 * {@code mvn -B -o -q verify -pl tandem-spark -am -Dtest=SparkVersusDuckDbBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false -Dbench.rows=10000000}; the figures are in target/surefire-reports.
 */
class SparkVersusDuckDbBenchmark {

    static final int ROWS = Integer.getInteger("bench.rows", 4_000_000);
    static final int RUNS = 3;
    private static final int EPOCHS = 10;
    private static final int PARTITIONS = 4;
    private static final long EPOCH_MS = 60_000;

    private static final StreamDef TRADES = new StreamDef("trades", "ts", 0, List.of(
            new FieldDef("symbol", FieldType.STRING), new FieldDef("price", FieldType.DOUBLE),
            new FieldDef("qty", FieldType.LONG), new FieldDef("trader", FieldType.STRING)), UnknownFields.IGNORE);

    @TempDir
    Path lake;

    @TempDir
    Path spill;

    @Test
    void sparkVersusDuckDb() throws IOException, SQLException {
        List<Path> files = write(lake);
        List<ViewDef> views = List.of(
                SparkVersusDuckDbTest.view("exact", List.of("symbol"), 60_000, null, "n: count", "volume: sum(qty)",
                        "low: min(price)", "high: max(price)", "open: first(price)", "close: last(price)",
                        "avg: mean(price)"),
                SparkVersusDuckDbTest.view("sketches", List.of("symbol"), 60_000, null, "traders: distinct(trader)",
                        "median: quantile(price, 0.5)"));
        try (BatchEngine duck = new DuckDbBatchEngine(new DuckDb(DuckDbDef.defaults(), spill));
             BatchEngine spark = TestSpark.engine()) {
            for (ViewDef def : views) {
                CompiledView view = new CompiledView(def, TRADES);
                double d = median(duck, view, files);
                double s = median(spark, view, files);
                System.out.printf(Locale.ROOT, "BENCH %s: %,d rows, DuckDB %.2f s, Spark local[2] %.2f s, "
                        + "Spark/DuckDB %.1f%n", def.name(), ROWS, d, s, s / d);
            }
        }
    }

    private static double median(BatchEngine engine, CompiledView view, List<Path> files) throws IOException {
        AtomicLong groups = new AtomicLong();
        engine.aggregate(view, files, true, (dims, bucket, epoch, accs) -> groups.incrementAndGet());
        double[] seconds = new double[RUNS];
        for (int r = 0; r < RUNS; r++) {
            long start = System.nanoTime();
            engine.aggregate(view, files, true, (dims, bucket, epoch, accs) -> groups.incrementAndGet());
            seconds[r] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        return seconds[RUNS / 2];
    }

    /** The lake's files, written by DuckDB with the lake's columns. */
    private static List<Path> write(Path lake) throws IOException, SQLException {
        List<Path> files = new ArrayList<>();
        long perFile = ROWS / (EPOCHS * PARTITIONS);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            for (int e = 0; e < EPOCHS; e++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    Path file = lake.resolve("trades/epoch=" + e + "/part-" + p + ".parquet");
                    Files.createDirectories(file.getParent());
                    long arrival = e * EPOCH_MS;
                    s.execute("COPY (SELECT 'S' || (hash(i, " + p + ") % 1000) AS symbol,"
                            + " round(1 + CAST(hash(i, 1) % 100000 AS BIGINT) / 100.0, 2) AS price,"
                            + " CAST(1 + hash(i, 2) % 500 AS BIGINT) AS qty, 't-' || (hash(i, 3) % 200) AS trader,"
                            + " make_timestamp((" + arrival + " + i * " + EPOCH_MS + " // " + perFile
                            + " - CAST(hash(i, 4) % 30000 AS BIGINT)) * 1000) AS ts,"
                            + " make_timestamp((" + arrival + " + i * " + EPOCH_MS + " // " + perFile
                            + ") * 1000) AS _arrival, CAST(" + e + " AS BIGINT) AS _epoch,"
                            + " CAST(" + p + " AS INTEGER) AS _partition, CAST(i AS BIGINT) AS _offset"
                            + " FROM range(" + perFile + ") t(i)) TO " + SqlColumns.literal(file.toString())
                            + " (FORMAT parquet)");
                    files.add(file);
                }
            }
        }
        return files;
    }
}
