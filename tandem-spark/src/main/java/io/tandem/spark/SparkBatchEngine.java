package io.tandem.spark;

import io.tandem.core.FieldType;
import io.tandem.core.MeasureDef;
import io.tandem.core.StreamDef;
import io.tandem.core.ViewDef;
import io.tandem.core.expr.SqlColumns;
import io.tandem.spi.batch.BatchEngine;
import io.tandem.spi.view.CompiledView;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import scala.Tuple2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The scale-out batch engine, {@code batch: {engine: spark, master: "local[2]"}}: Apache Spark reads the lake's
 * Parquet files and its tasks run the view's own Java code, so the accumulators are the view's own measures', the
 * same objects as the hot path's and the embedded DuckDB engine's. Count, integer sums, min, max, first and last
 * are equal to theirs byte for byte; double sums, variances and the sketches equal theirs within rounding or the
 * sketch's error, as their bytes depend on the order of adds and merges (DuckDB sums doubles in SQL, a KLL merge
 * is randomized).
 *
 * <ol>
 *   <li>Spark reads the files ({@code spark.read().parquet}) and selects the columns the view reads, the
 *       timestamps as epoch ms (the lake's are Parquet timestamps without a zone, {@code timestamp_ntz} to
 *       Spark, of UTC);</li>
 *   <li>each task feeds the rows of its partition through the view's condition ({@link CompiledView#accepts})
 *       into its groups ({@link CompiledView#keyOf}, {@link CompiledView#bucketOf}, the epoch) and the view's
 *       measures ({@link CompiledView#add}), exactly as the hot path and DuckDB's Java pass do, and emits one
 *       (group, accumulators) pair per group in their binary forms ({@link Partials});</li>
 *   <li>Spark shuffles the pairs by group; a task merges each group's pairs with the measures' own merge;</li>
 *   <li>the driver reads the merged pairs back one partition at a time and hands them to the visitor, on the
 *       calling thread.</li>
 * </ol>
 * So first and last break event-time ties by (arrival time, sequence) as everywhere, and distinct and quantile
 * build the DataSketches sketches of {@code Measures} with their types and parameters. The view's {@code where}
 * is not pushed down to Spark: the only SQL form of a condition ({@code Expressions.toSql}) is DuckDB's dialect,
 * and a Spark translation exact under CEL's rules (an unknown for a null field, errors for overflow and division
 * by zero) does not exist yet; the tasks evaluate it in Java, the hot path's own compiled predicate.
 *
 * <p>What travels to the executors is serializable by construction: the view's definition as plain values
 * ({@link ViewSpec}), which each executor JVM compiles back once and checks against the driver's fingerprint, the
 * column layout, and byte arrays. Nothing of Tandem is serialized as an object graph.
 *
 * <p>A remote cluster ({@code spark://}, {@code yarn}, {@code k8s://}) needs, on every executor: Java 17 and
 * Spark 4.2 for Scala 2.13; the tandem-spark jar and the Tandem classes it runs (tandem-core, tandem-spi and their
 * dependencies, among them CEL and DataSketches: all in {@code tandem.jar}) at the driver's version; and the lake
 * files under the same path as on the driver (a shared file system). When the engine's classes come from jars,
 * it ships those jars to the executors itself ({@code spark.jars}); otherwise put them on the executors'
 * classpath. In local mode ({@code local}, {@code local[N]}) the executors are threads of this JVM: the session
 * binds the driver to 127.0.0.1 only and uses {@value #LOCAL_SHUFFLE_PARTITIONS} shuffle partitions.
 *
 * <p>An engine made with a master starts a Spark application and stops it on close; Spark allows one per JVM, so
 * such an engine should be the only one in the process. {@link #SparkBatchEngine(SparkSession)} runs on an
 * application the caller owns instead. Each engine works in a session of its own, whose SQL settings it sets: UTC,
 * case-sensitive column names.
 */
public final class SparkBatchEngine implements BatchEngine {

    /** The master when the config names none: local mode with two cores. */
    public static final String DEFAULT_MASTER = "local[2]";

    static final int LOCAL_SHUFFLE_PARTITIONS = 4;

    private static final Encoder<Tuple2<byte[], byte[]>> PAIRS = Encoders.tuple(Encoders.BINARY(),
            Encoders.BINARY());

    private final SparkSession session;
    private final boolean ownsSession;

    /**
     * An engine on a Spark application of its own ({@link #open}), stopped on {@link #close()}.
     *
     * @param master the Spark master URL, as {@code DeploymentDef.problem} accepts it
     * @throws IOException when Spark does not start
     */
    public SparkBatchEngine(String master) throws IOException {
        this(open(master), true);
    }

    /**
     * An engine on a Spark application the caller owns: {@link #close()} leaves it running. The engine works in a
     * session of its own ({@link SparkSession#newSession()}), whose SQL settings it sets, so the caller's are
     * neither read nor changed.
     */
    public SparkBatchEngine(SparkSession session) {
        this(session, false);
    }

    private SparkBatchEngine(SparkSession application, boolean ownsSession) {
        this.session = application.newSession();
        this.ownsSession = ownsSession;
        // UTC: the lake's timestamps without a zone are UTC, and the cast to epoch ms reads them in this zone
        session.conf().set("spark.sql.session.timeZone", "UTC");
        session.conf().set("spark.sql.caseSensitive", "true");
        if (application.sparkContext().isLocal()) {
            session.conf().set("spark.sql.shuffle.partitions", Integer.toString(LOCAL_SHUFFLE_PARTITIONS));
        }
    }

    /**
     * A Spark application set up as the engine needs it: no web UI; in local mode the driver on 127.0.0.1; on a
     * cluster, the engine's own jars shipped to the executors.
     *
     * @throws IOException when Spark does not start
     */
    public static SparkSession open(String master) throws IOException {
        SparkSession.Builder builder = SparkSession.builder().master(master).appName("tandem-batch")
                .config("spark.ui.enabled", "false");
        if (master.startsWith("local")) {
            builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        } else {
            List<String> jars = engineJars();
            if (!jars.isEmpty()) {
                builder.config("spark.jars", String.join(",", jars));
            }
        }
        try {
            return builder.getOrCreate();
        } catch (RuntimeException e) {
            throw new IOException("cannot start Spark with master \"" + master + "\": " + e.getMessage(), e);
        }
    }

    /** The engine's session. */
    public SparkSession session() {
        return session;
    }

    @Override
    public void aggregate(CompiledView view, List<Path> parquetFiles, boolean byEpoch, Visitor visitor)
            throws IOException {
        if (parquetFiles.isEmpty()) {
            return;
        }
        ViewSpec spec = ViewSpec.of(view);
        Iterator<Tuple2<byte[], byte[]>> merged;
        try {
            Dataset<org.apache.spark.sql.Row> lake = session.read().parquet(paths(parquetFiles));
            List<Column> columns = new ArrayList<>();
            LakeRow.Layout layout = select(view, byEpoch, columns);
            merged = lake.select(columns.toArray(Column[]::new))
                    .mapPartitions(new Partials.Aggregate(spec, layout, byEpoch), PAIRS)
                    .groupByKey((MapFunction<Tuple2<byte[], byte[]>, byte[]>) Tuple2::_1, Encoders.BINARY())
                    .mapGroups(new Partials.Merge(spec), PAIRS)
                    .toLocalIterator();
        } catch (RuntimeException e) {
            throw failed(view, e);
        }
        while (true) {
            Partials.Group group;
            Object[] accs;
            try {
                if (!merged.hasNext()) {
                    return;
                }
                Tuple2<byte[], byte[]> pair = merged.next();
                group = Partials.group(pair._1());
                accs = Partials.accumulators(view, pair._2());
            } catch (RuntimeException e) {
                throw failed(view, e);
            }
            visitor.accept(group.dims(), group.bucket(), group.epoch(), accs);
        }
    }

    /** Stops the Spark application when the engine started it. */
    @Override
    public void close() {
        if (ownsSession) {
            session.stop();
        }
    }

    /**
     * Adds the columns the view reads to {@code columns}: the declared fields it reads (all of them when a
     * condition or a derived field may read any), then the time column, arrival, partition, offset and, by epoch,
     * the epoch.
     */
    static LakeRow.Layout select(CompiledView view, boolean byEpoch, List<Column> columns) {
        ViewDef def = view.def();
        StreamDef stream = view.stream();
        boolean anyCondition = def.where() != null
                || def.measures().values().stream().anyMatch(m -> m.where() != null
                        || m.field() != null && stream.derived(m.field()) != null);
        Set<String> read = new LinkedHashSet<>(def.groupBy());
        for (MeasureDef m : def.measures().values()) {
            if (m.field() != null) {
                read.add(m.field());
            }
        }
        int[] positions = new int[stream.fields().size()];
        for (int f = 0; f < positions.length; f++) {
            positions[f] = -1;
            if (anyCondition || read.contains(stream.field(f).name())) {
                Column c = column(stream.field(f).name());
                positions[f] = add(columns, stream.field(f).type() == FieldType.TIMESTAMP ? millis(c) : c);
            }
        }
        int time = add(columns, millis(column(stream.timeField())));
        int arrival = add(columns, millis(column(SqlColumns.ARRIVAL)));
        int partition = add(columns, column(SqlColumns.PARTITION));
        int offset = add(columns, column(SqlColumns.OFFSET));
        int epoch = byEpoch ? add(columns, column(SqlColumns.EPOCH)) : -1;
        return new LakeRow.Layout(positions, time, arrival, partition, offset, epoch);
    }

    private static int add(List<Column> columns, Column column) {
        columns.add(column);
        return columns.size() - 1;
    }

    /**
     * A TIMESTAMP column as epoch ms, computed by Spark rather than per row from {@code LocalDateTime}s: the
     * lake's timestamps without a zone are UTC, the session's zone, and hold whole milliseconds, so the cast and
     * {@code unix_millis} are exact.
     */
    private static Column millis(Column timestamp) {
        return functions.unix_millis(timestamp.cast("timestamp"));
    }

    /** A column by its exact name, whatever characters it holds. */
    private static Column column(String name) {
        return functions.col("`" + name.replace("`", "``") + "`");
    }

    /** The files as Hadoop paths: {@code file://} URIs for files of the default file system. */
    static String[] paths(List<Path> files) {
        return files.stream().map(f -> f.getFileSystem() == FileSystems.getDefault()
                ? "file://" + f.toAbsolutePath() : f.toUri().toString()).toArray(String[]::new);
    }

    private static IOException failed(CompiledView view, RuntimeException e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        return new IOException("batch of view '" + view.name() + "' failed on Spark: " + cause.getMessage(), e);
    }

    /** The jars of the engine's classes and of the Tandem classes its tasks run, when they come from jars. */
    private static List<String> engineJars() {
        Set<String> jars = new LinkedHashSet<>();
        for (Class<?> c : List.of(SparkBatchEngine.class, CompiledView.class, io.tandem.core.Measure.class)) {
            CodeSource source = c.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                continue;
            }
            try {
                Path location = Path.of(source.getLocation().toURI());
                if (Files.isRegularFile(location) && location.toString().endsWith(".jar")) {
                    jars.add(location.toUri().toString());
                }
            } catch (URISyntaxException | IllegalArgumentException e) {
                // not a local jar: the classes must be on the executors' classpath already
            }
        }
        return List.copyOf(jars);
    }
}
