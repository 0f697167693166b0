package io.tandem.engine.batchview;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.core.FieldType;
import io.tandem.core.GroupKey;
import io.tandem.core.MeasureDef;
import io.tandem.core.ResultType;
import io.tandem.core.StreamDef;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.engine.durable.Durable;
import io.tandem.spi.batch.BatchVersion;
import io.tandem.spi.batch.BatchViewStore;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;
import io.tandem.spi.view.GroupKeys;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

import static io.tandem.core.expr.SqlColumns.quote;

/**
 * The batch view store on a local disk: versioned folders of batch views, published atomically, each view's
 * accumulators in one file per bucket range so that a publish writes only the ranges that changed.
 *
 * <pre>
 * batch/CURRENT                   the published version number, replaced atomically (temp, fsync, rename)
 * batch/v&lt;N&gt;/meta.json            version, boundary epoch, until (arrival time), creation time
 * batch/v&lt;N&gt;/&lt;view&gt;/r&lt;R&gt;.bin   the accumulators of the buckets in range R, for exact merging with the
 *                                 hot path: R = floor(bucket / (1,440 × the view's granularity)), a day at 1m
 * batch/v&lt;N&gt;/&lt;view&gt;/r&lt;R&gt;.parquet
 *                                 the result rows of range R (bucket TIMESTAMP, dims, measures); together, the
 *                                 view's SQL table
 * </pre>
 * A version is written as {@code v<N>.tmp}, every file fsynced, then renamed to {@code v<N>}; only then does
 * CURRENT move. A range whose rows are those of the version before is a hard link to that version's two files,
 * not a copy. A crash at any point leaves the previous version published, and the leftovers are removed on the
 * next start. {@code r<R>.bin}:
 * <pre>
 * +--------------+--------------------+------------------+-----------------------------------------+-----------+
 * | magic "TBV1" | fingerprint (UTF)  | entry count: i32 | per entry: bucket i64, dims (GroupKeys), | CRC32C of |
 * |              | of the definition  |                  | each measure's accumulator (its binary   | all bytes |
 * |              |                    |                  | form)                                    | before:i64|
 * +--------------+--------------------+------------------+-----------------------------------------+-----------+
 * </pre>
 * Versions written before ranges hold one {@code <view>.bin} of the same format and one {@code <view>.parquet};
 * they are still read, and the next publish writes every range of them.
 */
public final class ParquetBatchViewStore implements BatchViewStore {

    private static final Logger LOG = LoggerFactory.getLogger(ParquetBatchViewStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAGIC = 0x54425631;
    private static final String EXACT_SUM = "DECIMAL(38,0)";

    /** Buckets per range file. */
    static final long BUCKETS_PER_RANGE = 1_440;

    private final Path dir;
    private final Catalog catalog;
    private final DuckDBConnection writer;
    private final boolean readOnly;
    /** The last version loaded or published, whose unchanged ranges the next publish keeps. */
    private BatchVersion last = BatchVersion.EMPTY;

    public ParquetBatchViewStore(Path dir, Catalog catalog, DuckDb duckdb) {
        this(dir, catalog, duckdb, false);
    }

    /**
     * @param readOnly for a serving node that follows the batch node's publishes in a shared folder: it loads
     *                 versions but never publishes or removes anything
     */
    public ParquetBatchViewStore(Path dir, Catalog catalog, DuckDb duckdb, boolean readOnly) {
        this.dir = dir;
        this.catalog = catalog;
        this.readOnly = readOnly;
        try {
            Files.createDirectories(dir);
            this.writer = duckdb.open("batch-views");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open DuckDB for batch view files", e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The folder of a published version. */
    public Path versionDir(long version) {
        return dir.resolve("v" + version);
    }

    /**
     * The Parquet files of a view's result rows in a version, one per bucket range (or the one file of a version
     * written before ranges); none when the view has no rows.
     */
    public List<Path> parquetFiles(long version, String view) {
        Path folder = versionDir(version).resolve(view);
        if (!Files.isDirectory(folder)) {
            Path whole = versionDir(version).resolve(view + ".parquet");
            return Files.exists(whole) ? List.of(whole) : List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".parquet")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    /** A glob of {@link #parquetFiles}, for {@code read_parquet}: the view's SQL table. */
    public String parquetGlob(long version, String view) {
        Path folder = versionDir(version).resolve(view);
        return Files.isDirectory(folder) ? folder.resolve("*.parquet").toString()
                : versionDir(version).resolve(view + ".parquet").toString();
    }

    /**
     * Loads the published version, after removing what a crash left behind. Views whose definition changed since
     * are left out; {@link Loaded#stale()} names them, so that a full recompute rebuilds them.
     */
    @Override
    public Loaded load() {
        long current = readCurrent();
        if (!readOnly) {
            cleanUp(current);
        }
        if (current == 0) {
            return new Loaded(BatchVersion.EMPTY, List.of());
        }
        Path v = versionDir(current);
        try {
            JsonNode meta = JSON.readTree(v.resolve("meta.json").toFile());
            Map<String, NavigableMap<Long, Map<GroupKey, Object[]>>> views = new HashMap<>();
            List<String> stale = new ArrayList<>();
            for (CompiledView view : catalog.views().values()) {
                NavigableMap<Long, Map<GroupKey, Object[]>> rows = readView(v, view);
                if (rows == null) {
                    stale.add(view.name());
                } else {
                    views.put(view.name(), rows);
                }
            }
            BatchVersion version = new BatchVersion(current, meta.get("boundary_epoch").asLong(),
                    meta.get("until_ms").asLong(), views);
            LOG.info("batch views: version {} through epoch {}{}", current, version.boundaryEpoch(),
                    stale.isEmpty() ? "" : "; definitions changed for " + stale);
            last = version;
            return new Loaded(version, stale);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read batch version " + v, e);
        }
    }

    /** Writes a version's files and makes it the published one, atomically. */
    @Override
    public Published publish(BatchVersion version) {
        if (readOnly) {
            throw new IllegalStateException("the batch views in " + dir + " are read-only here: the batch node "
                    + "publishes them");
        }
        Path tmp = dir.resolve("v" + version.version() + ".tmp");
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp);
            ObjectNode meta = JSON.createObjectNode();
            meta.put("version", version.version());
            meta.put("boundary_epoch", version.boundaryEpoch());
            meta.put("until_ms", version.untilMs());
            meta.put("until", Timestamps.format(version.untilMs()));
            meta.put("created", Timestamps.format(System.currentTimeMillis()));
            Durable.write(tmp.resolve("meta.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
            int[] counts = new int[2];
            for (CompiledView view : catalog.views().values()) {
                NavigableMap<Long, Map<GroupKey, Object[]>> rows = version.views().getOrDefault(view.name(),
                        new TreeMap<>());
                writeRanges(tmp, view, rows, counts);
            }
            Path target = versionDir(version.version());
            deleteTree(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            Durable.fsyncDirectory(dir);
            Durable.write(dir.resolve("CURRENT"), Long.toString(version.version()).getBytes(StandardCharsets.UTF_8));
            cleanUp(version.version());
            last = version;
            return new Published(counts[0], counts[1]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish batch version " + version.version(), e);
        }
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (SQLException e) {
            LOG.warn("closing the batch view writer: {}", e.toString());
        }
    }

    @Override
    public long currentVersion() {
        return readCurrent();
    }

    private long readCurrent() {
        Path current = dir.resolve("CURRENT");
        try {
            return Files.exists(current) ? Long.parseLong(Files.readString(current).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("unreadable " + current + ": " + e.getMessage(), e);
        }
    }

    /** Removes temporary folders and every version but the published one and the one before it. */
    private void cleanUp(long current) {
        try (Stream<Path> children = Files.list(dir)) {
            for (Path p : children.toList()) {
                String name = p.getFileName().toString();
                boolean tmp = name.endsWith(".tmp");
                boolean old = name.matches("v\\d+") && Long.parseLong(name.substring(1)) != current
                        && Long.parseLong(name.substring(1)) != current - 1;
                if (tmp || old) {
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            LOG.warn("cleaning {}: {}", dir, e.toString());
        }
    }

    /**
     * Writes a view's ranges into the version folder {@code tmp}: a range whose buckets hold the very maps of the
     * last version's, and which that version kept in a file of its own, is a hard link to that file.
     *
     * @param counts incremented: [0] the ranges written, [1] those kept
     */
    private void writeRanges(Path tmp, CompiledView view, NavigableMap<Long, Map<GroupKey, Object[]>> rows,
                             int[] counts) throws IOException {
        Path folder = Files.createDirectories(tmp.resolve(view.name()));
        long span = BUCKETS_PER_RANGE * view.def().granularityMs();
        NavigableMap<Long, Map<GroupKey, Object[]>> before = last.views().getOrDefault(view.name(), new TreeMap<>());
        Path beforeFolder = versionDir(last.version()).resolve(view.name());
        Map<Long, NavigableMap<Long, Map<GroupKey, Object[]>>> ranges = new TreeMap<>();
        rows.forEach((bucket, dims) -> ranges.computeIfAbsent(Math.floorDiv(bucket, span), r -> new TreeMap<>())
                .put(bucket, dims));
        for (Map.Entry<Long, NavigableMap<Long, Map<GroupKey, Object[]>>> range : ranges.entrySet()) {
            String name = "r" + range.getKey();
            Path kept = beforeFolder.resolve(name + ".bin");
            Path keptRows = beforeFolder.resolve(name + ".parquet");
            if (!last.isEmpty() && sameMaps(range.getValue(), before.subMap(range.getKey() * span, true,
                    range.getKey() * span + span, false)) && Files.exists(kept) && Files.exists(keptRows)) {
                Files.createLink(folder.resolve(name + ".bin"), kept);
                Files.createLink(folder.resolve(name + ".parquet"), keptRows);
                counts[1]++;
            } else {
                writeView(folder.resolve(name + ".bin"), view, range.getValue());
                writeParquet(folder.resolve(name + ".parquet"), view, range.getValue());
                counts[0]++;
            }
        }
    }

    /** Whether two ranges hold the same buckets, each with the very same map of rows. */
    private static boolean sameMaps(NavigableMap<Long, Map<GroupKey, Object[]>> a,
                                    NavigableMap<Long, Map<GroupKey, Object[]>> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<Long, Map<GroupKey, Object[]>> e : a.entrySet()) {
            if (b.get(e.getKey()) != e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void writeView(Path file, CompiledView view, NavigableMap<Long, Map<GroupKey, Object[]>> rows)
            throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream raw = Channels.newOutputStream(ch);
            CRC32C crc = new CRC32C();
            DataOutputStream out = new DataOutputStream(
                    new BufferedOutputStream(new CheckedOutputStream(raw, crc), 1 << 16));
            out.writeInt(MAGIC);
            out.writeUTF(view.fingerprint());
            out.writeInt((int) rows.values().stream().mapToLong(Map::size).sum());
            for (Map.Entry<Long, Map<GroupKey, Object[]>> bucket : rows.entrySet()) {
                for (Map.Entry<GroupKey, Object[]> row : bucket.getValue().entrySet()) {
                    out.writeLong(bucket.getKey());
                    GroupKeys.write(row.getKey(), out);
                    for (int i = 0; i < view.measures().length; i++) {
                        view.measures()[i].write(row.getValue()[i], out);
                    }
                }
            }
            out.flush();
            new DataOutputStream(raw).writeLong(crc.getValue());
            ch.force(true);
        }
    }

    /**
     * A view's rows in a version folder, from its range files (or the one file of a version written before
     * ranges), or null when the view's definition changed since they were written.
     */
    private NavigableMap<Long, Map<GroupKey, Object[]>> readView(Path version, CompiledView view) throws IOException {
        Path folder = version.resolve(view.name());
        if (!Files.isDirectory(folder)) {
            return readFile(version.resolve(view.name() + ".bin"), view);
        }
        NavigableMap<Long, Map<GroupKey, Object[]>> rows = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("r-?\\d+\\.bin")).toList()) {
                NavigableMap<Long, Map<GroupKey, Object[]>> range = readFile(f, view);
                if (range == null) {
                    return null;
                }
                rows.putAll(range);
            }
        }
        return rows;
    }

    /** The rows of one file, or null when the view's definition changed since it was written. */
    private NavigableMap<Long, Map<GroupKey, Object[]>> readFile(Path file, CompiledView view) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            CRC32C crc = new CRC32C();
            DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not a batch view file");
            }
            if (!in.readUTF().equals(view.fingerprint())) {
                return null;
            }
            NavigableMap<Long, Map<GroupKey, Object[]>> rows = new TreeMap<>();
            int n = in.readInt();
            for (int r = 0; r < n; r++) {
                long bucket = in.readLong();
                GroupKey dims = GroupKeys.read(in);
                Object[] accs = new Object[view.measures().length];
                for (int i = 0; i < accs.length; i++) {
                    accs[i] = view.measures()[i].read(in);
                }
                rows.computeIfAbsent(bucket, b -> new HashMap<>()).put(dims, accs);
            }
            long expected = crc.getValue();
            if (new DataInputStream(raw).readLong() != expected) {
                throw new IOException(file + " is corrupt (CRC mismatch)");
            }
            return rows;
        }
    }

    private void writeParquet(Path file, CompiledView view, NavigableMap<Long, Map<GroupKey, Object[]>> rows)
            throws IOException {
        List<String> columns = new ArrayList<>();
        Map<String, String> types = columns(view);
        types.forEach((name, type) -> columns.add(quote(name) + " " + type));
        List<MeasureDef> measures = List.copyOf(view.def().measures().values());
        boolean[] exact = new boolean[measures.size()];
        for (int m = 0; m < exact.length; m++) {
            exact[m] = types.get(measures.get(m).name()).equals(EXACT_SUM);
        }
        String table = "rows_" + view.name();
        try (Statement st = writer.createStatement()) {
            st.execute("CREATE OR REPLACE TEMP TABLE " + table + " (" + String.join(", ", columns) + ")");
            try (DuckDBAppender app = writer.createAppender("temp", "main", table)) {
                for (Map.Entry<Long, Map<GroupKey, Object[]>> bucket : rows.entrySet()) {
                    for (Map.Entry<GroupKey, Object[]> row : new TreeMap<>(bucket.getValue()).entrySet()) {
                        app.beginRow();
                        app.append(bucket.getKey());
                        for (int i = 0; i < row.getKey().size(); i++) {
                            append(app, row.getKey().get(i));
                        }
                        Object[] values = view.results(row.getValue());
                        for (int m = 0; m < values.length; m++) {
                            append(app, exact[m] && values[m] != null ? new BigDecimal(values[m].toString())
                                    : values[m]);
                        }
                        app.endRow();
                    }
                }
            }
            st.execute("COPY (SELECT epoch_ms(bucket) AS bucket, * EXCLUDE (bucket) FROM " + table
                    + " ORDER BY ALL) TO '" + file.toString().replace("'", "''") + "' (FORMAT parquet)");
            st.execute("DROP TABLE " + table);
        } catch (SQLException e) {
            throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** A view's result columns and their SQL types: {@code bucket} (epoch ms), the dims, the measures. */
    private static Map<String, String> columns(CompiledView view) {
        StreamDef stream = view.stream();
        Map<String, String> columns = new LinkedHashMap<>();
        columns.put("bucket", "BIGINT");
        for (String dim : view.def().groupBy()) {
            columns.put(dim, sqlType(stream.field(stream.indexOf(dim)).type()));
        }
        for (int m = 0; m < view.measures().length; m++) {
            columns.put(view.measureNames().get(m), sqlType(view.measures()[m].resultType()));
        }
        return columns;
    }

    /** A query of no rows with the columns of a view's Parquet file ({@code bucket} a TIMESTAMP there). */
    public static String emptySelect(CompiledView view) {
        List<String> columns = new ArrayList<>();
        columns(view).forEach((name, type) -> columns.add(name.equals("bucket")
                ? "epoch_ms(CAST(NULL AS BIGINT)) AS bucket" : "CAST(NULL AS " + type + ") AS " + quote(name)));
        return "SELECT " + String.join(", ", columns) + " WHERE false";
    }

    private static void append(DuckDBAppender app, Object value) throws SQLException {
        if (value == null) {
            app.appendNull();
        } else if (value instanceof Long l) {
            app.append(l.longValue());
        } else if (value instanceof Double d) {
            app.append(d.doubleValue());
        } else if (value instanceof BigDecimal d) {
            app.append(d);
        } else if (value instanceof Boolean b) {
            app.append(b.booleanValue());
        } else {
            app.append(value.toString());
        }
    }


    private static String sqlType(FieldType type) {
        return switch (type) {
            case STRING -> "VARCHAR";
            case LONG, TIMESTAMP -> "BIGINT";
            case DOUBLE -> "DOUBLE";
            case BOOLEAN -> "BOOLEAN";
        };
    }

    /** The SQL type of a measure's result; exact sums are {@link #EXACT_SUM} (Parquet has no HUGEINT). */
    private static String sqlType(ResultType type) {
        return switch (type) {
            case LONG, TIMESTAMP -> "BIGINT";
            case INTEGER -> EXACT_SUM;
            case DOUBLE -> "DOUBLE";
        };
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
