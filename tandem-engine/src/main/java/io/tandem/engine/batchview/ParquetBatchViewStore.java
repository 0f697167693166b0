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
import io.tandem.engine.durable.BlockChecksums;
import io.tandem.engine.durable.Durable;
import io.tandem.spi.batch.BatchRows;
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
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
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
 * batch/v&lt;N&gt;/meta.json            version, boundary epoch, until (arrival time), creation time, and for each
 *                                 file of the version its size and a CRC-32C per MiB ({@link BlockChecksums})
 * batch/v&lt;N&gt;/&lt;view&gt;/r&lt;R&gt;.bin   the accumulators of the buckets in range R, for exact merging with the
 *                                 hot path: R = floor(bucket / (1,440 × the view's granularity)), a day at 1m
 * batch/v&lt;N&gt;/&lt;view&gt;/r&lt;R&gt;.parquet
 *                                 the result rows of range R (bucket TIMESTAMP, dims, measures); together, the
 *                                 view's SQL table
 * </pre>
 * A version is written as {@code v<N>.tmp}, every file fsynced, then renamed to {@code v<N>}; only then does
 * CURRENT move. A range whose rows are those of the version before is a hard link to that version's two files,
 * not a copy. A crash at any point leaves the previous version published, and the leftovers are removed on the
 * next start. The checksums are checked when the version is loaded (a version written before them is loaded
 * unchecked): a damaged file is moved aside to {@code <file>.damaged} with an error naming it and the bytes that
 * differ. A range's two files hold the same rows, so a damaged {@code .parquet} is written again from its
 * {@code .bin} at once; queries over the buckets of a damaged {@code .bin} fail (rather than answer without them)
 * until a full recompute has rebuilt them. {@code r<R>.bin}:
 * <pre>
 * +--------------+--------------------+------------------+-----------------------------------------+-----------+
 * | magic "TBV1" | fingerprint (UTF)  | entry count: i32 | per entry: bucket i64, dims (GroupKeys), | CRC32C of |
 * |              | of the definition  |                  | each measure's accumulator (its binary   | all bytes |
 * |              |                    |                  | form)                                    | before:i64|
 * +--------------+--------------------+------------------+-----------------------------------------+-----------+
 * </pre>
 * Versions written before ranges hold one {@code <view>.bin} of the same format and one {@code <view>.parquet};
 * they are still read, and the next publish writes every range of them.
 *
 * <p>A loaded or published version keeps its rows here: loading reads only the header of each range file, and a
 * query reads the ranges it needs through a {@link RangeCache} of at most {@value #CACHE_BYTES} bytes of range
 * files by default. A publish removes every version but the new one and the one before it; the batch runner lets
 * no query read an older one by then.
 */
public final class ParquetBatchViewStore implements BatchViewStore {

    private static final Logger LOG = LoggerFactory.getLogger(ParquetBatchViewStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAGIC = 0x54425631;
    private static final String EXACT_SUM = "DECIMAL(38,0)";

    /** Buckets per range file. */
    static final long BUCKETS_PER_RANGE = 1_440;
    /** The default bound of the range cache: the sum of the sizes of the range files it holds, 64 MiB. */
    public static final long CACHE_BYTES = 64L << 20;

    private final Path dir;
    private final Catalog catalog;
    private final DuckDBConnection writer;
    private final boolean readOnly;
    private final RangeCache cache;
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
        this(dir, catalog, duckdb, readOnly, CACHE_BYTES);
    }

    /** As above, with a range cache of at most {@code cacheBytes} bytes of range files. */
    public ParquetBatchViewStore(Path dir, Catalog catalog, DuckDb duckdb, boolean readOnly, long cacheBytes) {
        this.dir = dir;
        this.catalog = catalog;
        this.readOnly = readOnly;
        this.cache = new RangeCache(cacheBytes);
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
        Map<String, String> damaged = readOnly ? Map.of() : check(current);
        Loaded loaded = read(current, damaged);
        LOG.info("batch views: version {} through epoch {}{}{}", current, loaded.version().boundaryEpoch(),
                loaded.stale().isEmpty() ? "" : "; definitions changed for " + loaded.stale(),
                damaged.isEmpty() ? "" : "; damaged files: " + damaged.keySet());
        last = loaded.version();
        return loaded;
    }

    /**
     * A published version, its rows left in its files; views whose definition changed since are stale.
     *
     * @param damaged what {@link #check} found, by file in the version folder: a damaged {@code .bin}'s range is
     *                kept in its view, to fail the queries that need it
     */
    private Loaded read(long number, Map<String, String> damaged) {
        Path v = versionDir(number);
        try {
            JsonNode meta = JSON.readTree(v.resolve("meta.json").toFile());
            Map<String, BlockChecksums> written = written(meta);
            Map<String, BatchRows> views = new HashMap<>();
            List<String> stale = new ArrayList<>();
            for (CompiledView view : catalog.views().values()) {
                StoredRows rows = storedRows(number, view, written, damaged);
                if (rows == null) {
                    stale.add(view.name());
                } else {
                    views.put(view.name(), rows);
                }
            }
            return new Loaded(new BatchVersion(number, meta.get("boundary_epoch").asLong(),
                    meta.get("until_ms").asLong(), views), stale, List.copyOf(damaged.values()));
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
            int[] counts = new int[2];
            Map<String, BlockChecksums> written = new TreeMap<>();
            for (CompiledView view : catalog.views().values()) {
                writeRanges(tmp, view, version.views().getOrDefault(view.name(), BatchRows.NONE), counts, written);
            }
            ObjectNode meta = JSON.createObjectNode();
            meta.put("version", version.version());
            meta.put("boundary_epoch", version.boundaryEpoch());
            meta.put("until_ms", version.untilMs());
            meta.put("until", Timestamps.format(version.untilMs()));
            meta.put("created", Timestamps.format(System.currentTimeMillis()));
            writeMeta(tmp, meta, written);
            Path target = versionDir(version.version());
            deleteTree(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            Durable.fsyncDirectory(dir);
            Durable.write(dir.resolve("CURRENT"), Long.toString(version.version()).getBytes(StandardCharsets.UTF_8));
            cleanUp(version.version());
            last = read(version.version(), Map.of()).version();
            return new Published(counts[0], counts[1], last);
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

    /** The range cache, for tests of its bound. */
    RangeCache cache() {
        return cache;
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

    /** Writes a version's meta.json, with what was written to each of its files. */
    private static void writeMeta(Path version, ObjectNode meta, Map<String, BlockChecksums> written)
            throws IOException {
        ObjectNode files = meta.putObject("files");
        written.forEach((name, w) -> files.set(name, json(w)));
        Durable.write(version.resolve("meta.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
    }

    /** A file's entry in meta.json: {@code {"bytes": N, "crc32c": "<Base64 of a CRC-32C per MiB>"}}. */
    private static ObjectNode json(BlockChecksums sums) {
        ObjectNode json = JSON.createObjectNode();
        json.put("bytes", sums.bytes());
        json.put("crc32c", sums.encoded());
        return json;
    }

    private static BlockChecksums checksums(JsonNode json) {
        return BlockChecksums.decode(json.get("bytes").asLong(), json.get("crc32c").asText());
    }

    /** What a version's meta.json says was written to its files, by path in the version folder. */
    private static Map<String, BlockChecksums> written(JsonNode meta) {
        Map<String, BlockChecksums> out = new TreeMap<>();
        JsonNode files = meta.get("files");
        if (files != null) {
            files.fields().forEachRemaining(f -> out.put(f.getKey(), checksums(f.getValue())));
        }
        return out;
    }

    /**
     * Checks each file of a version against what its meta.json says was written to it (a version written before
     * checksums has none to check). A damaged file is moved aside to {@code <file>.damaged}, and a damaged Parquet
     * file is written again from its range's {@code .bin} when that one is intact (and the checksums follow).
     *
     * @return an error per damaged file, by its path in the version folder, naming the file, the bytes that
     *         differ and what was done about it
     */
    private Map<String, String> check(long number) {
        Path v = versionDir(number);
        try {
            ObjectNode meta = (ObjectNode) JSON.readTree(v.resolve("meta.json").toFile());
            Map<String, BlockChecksums> written = written(meta);
            Map<String, String> found = new TreeMap<>();
            for (Map.Entry<String, BlockChecksums> f : written.entrySet()) {
                String why = f.getValue().damage(v.resolve(f.getKey()));
                if (why != null) {
                    found.put(f.getKey(), why);
                }
            }
            Map<String, String> damaged = new TreeMap<>();
            boolean rewritten = false;
            for (Map.Entry<String, String> d : found.entrySet()) {
                String name = d.getKey();
                Path file = v.resolve(name);
                String viewName = name.substring(0, name.indexOf('/'));
                Path aside = file.resolveSibling(file.getFileName() + ".damaged");
                StringBuilder done = new StringBuilder();
                if (Files.exists(file)) {
                    Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                    done.append("moved it to ").append(aside.getFileName()).append("; ");
                }
                if (name.endsWith(".bin")) {
                    done.append("queries of view ").append(viewName).append(" over its buckets fail until a full "
                            + "recompute has rebuilt them");
                } else if (!found.containsKey(binOf(name)) && rewriteParquet(file, viewName)) {
                    written.put(name, BlockChecksums.of(file));
                    rewritten = true;
                    done.append("wrote it again from ").append(binOf(file.getFileName().toString()))
                            .append(", which is intact");
                } else {
                    done.append("the SQL table of view ").append(viewName).append(" lacks its rows until a full "
                            + "recompute has rebuilt them");
                }
                String error = "batch view file " + file + " is damaged: " + d.getValue() + "; " + done;
                LOG.error(error);
                damaged.put(name, error);
            }
            if (rewritten) {
                writeMeta(v, meta, written);
            }
            return damaged;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check batch version " + v, e);
        }
    }

    /** Writes a range's Parquet file again from its {@code .bin}; false when the view was removed or changed. */
    private boolean rewriteParquet(Path parquet, String viewName) throws IOException {
        CompiledView view = catalog.view(viewName);
        Path bin = parquet.resolveSibling(binOf(parquet.getFileName().toString()));
        NavigableMap<Long, Map<GroupKey, Object[]>> rows = view == null ? null : readFile(bin, view);
        if (rows == null) {
            return false;
        }
        Path temp = Durable.tempFor(parquet);
        Files.deleteIfExists(temp);
        writeParquet(temp, view, rows);
        Durable.publish(temp, parquet);
        return true;
    }

    /**
     * Writes a view's ranges into the version folder {@code tmp}: a range of the last version's files that holds
     * no bucket the new rows changed (all of them when the rows are that version's) is a hard link to its files.
     *
     * @param counts  incremented: [0] the ranges written, [1] those kept
     * @param written receives what was written to each file, by path in the version folder
     */
    private void writeRanges(Path tmp, CompiledView view, BatchRows rows, int[] counts,
                             Map<String, BlockChecksums> written) throws IOException {
        Path folder = Files.createDirectories(tmp.resolve(view.name()));
        long span = BUCKETS_PER_RANGE * view.def().granularityMs();
        StoredRows before = last.views().get(view.name()) instanceof StoredRows s && !s.whole ? s : null;
        Set<Long> touched = new HashSet<>();
        boolean keeps = before != null && rows == before;
        if (before != null && rows instanceof BatchRows.Changed c && c.base() == before) {
            keeps = true;
            c.changed().keySet().forEach(b -> touched.add(Math.floorDiv(b, span)));
        }
        // a version written before ranges is read once, not once per range it is cut into
        BatchRows source = isWhole(rows) || rows instanceof BatchRows.Changed c && isWhole(c.base())
                ? BatchRows.of(rows.buckets(Long.MIN_VALUE, Long.MAX_VALUE)) : rows;
        for (long range : source.ranges(span)) {
            String name = "r" + range;
            Path bin = folder.resolve(name + ".bin");
            Path parquet = folder.resolve(name + ".parquet");
            RangeFile kept = keeps && !touched.contains(range) ? before.ranges.get(range) : null;
            if (kept != null) {
                Files.createLink(bin, kept.file);
                Files.createLink(parquet, parquetOf(kept.file));
                // a version written before checksums has none for its files: they are read once, here
                written.put(view.name() + "/" + name + ".bin", kept.bin != null ? kept.bin : BlockChecksums.of(bin));
                written.put(view.name() + "/" + name + ".parquet", kept.parquet != null ? kept.parquet
                        : BlockChecksums.of(parquet));
                counts[1]++;
            } else {
                NavigableMap<Long, Map<GroupKey, Object[]>> buckets = source.buckets(range * span,
                        range * span + span);
                writeView(bin, view, buckets);
                writeParquet(parquet, view, buckets);
                written.put(view.name() + "/" + name + ".bin", BlockChecksums.of(bin));
                written.put(view.name() + "/" + name + ".parquet", BlockChecksums.of(parquet));
                counts[0]++;
            }
        }
    }

    private static boolean isWhole(BatchRows rows) {
        return rows instanceof StoredRows s && s.whole;
    }

    private static Path parquetOf(Path bin) {
        String name = bin.getFileName().toString();
        return bin.resolveSibling(name.substring(0, name.length() - ".bin".length()) + ".parquet");
    }

    /** The name of the {@code .bin} of the range whose {@code .parquet} is named so. */
    private static String binOf(String parquet) {
        return parquet.substring(0, parquet.length() - ".parquet".length()) + ".bin";
    }

    /** The range number of a range file's name, {@code r<R>.bin}. */
    private static long rangeOf(String bin) {
        return Long.parseLong(bin.substring(1, bin.length() - ".bin".length()));
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
     * One range file of a version: where it is, the rows it holds, what identifies its content, what was written
     * to its two files (null for a version written before checksums), and, for a range whose {@code .bin} was
     * found damaged, the error that the queries needing it fail with (null when intact).
     */
    private record RangeFile(Path file, int rows, long bytes, Object key, BlockChecksums bin, BlockChecksums parquet,
                             String damage) {
    }

    /**
     * A view's rows in a version folder, left in its range files (or the one file of a version written before
     * ranges) with only their headers read, or null when the view's definition changed since they were written.
     *
     * @param written what was written to each file of the version, by path in the version folder
     * @param damaged the version's damaged files, by path in the version folder
     */
    private StoredRows storedRows(long version, CompiledView view, Map<String, BlockChecksums> written,
                                  Map<String, String> damaged) throws IOException {
        Path folder = versionDir(version).resolve(view.name());
        NavigableMap<Long, RangeFile> ranges = new TreeMap<>();
        if (!Files.isDirectory(folder)) {
            RangeFile whole = rangeFile(versionDir(version).resolve(view.name() + ".bin"), view, null, null);
            if (whole == null) {
                return null;
            }
            ranges.put(Long.MIN_VALUE, whole);
            return new StoredRows(view, ranges, true);
        }
        String prefix = view.name() + "/";
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("r-?\\d+\\.bin")).toList()) {
                String name = f.getFileName().toString();
                RangeFile range = rangeFile(f, view, written.get(prefix + name),
                        written.get(prefix + parquetOf(f).getFileName()));
                if (range == null) {
                    return null;
                }
                ranges.put(rangeOf(name), range);
            }
        }
        for (Map.Entry<String, String> d : damaged.entrySet()) {
            String name = d.getKey().substring(d.getKey().indexOf('/') + 1);
            if (d.getKey().startsWith(prefix) && name.endsWith(".bin")) {
                Path file = folder.resolve(name);
                ranges.put(rangeOf(name), new RangeFile(file, 0, 0, file, null, null, d.getValue()));
            }
        }
        return new StoredRows(view, ranges, false);
    }

    /**
     * A range file from its header, or null when it is missing or the view's definition changed since.
     *
     * @param bin     what was written to it, or null for a version written before checksums
     * @param parquet what was written to its {@code .parquet}, or null likewise
     */
    private static RangeFile rangeFile(Path file, CompiledView view, BlockChecksums bin, BlockChecksums parquet)
            throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 12))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not a batch view file");
            }
            if (!in.readUTF().equals(view.fingerprint())) {
                return null;
            }
            int rows = in.readInt();
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            // hard links of a kept range share the key, so a range stays cached from one version to the next
            Object key = List.of(attrs.fileKey() == null ? file : attrs.fileKey(), attrs.size(),
                    attrs.lastModifiedTime().toMillis());
            return new RangeFile(file, rows, attrs.size(), key, bin, parquet, null);
        }
    }

    /** The rows of a stored version's view, read a range file at a time through the cache. */
    private final class StoredRows implements BatchRows {

        private final CompiledView view;
        private final long span;
        /** Range number → its file; a version written before ranges has one, under {@link Long#MIN_VALUE}. */
        private final NavigableMap<Long, RangeFile> ranges;
        private final boolean whole;
        private final long rows;

        StoredRows(CompiledView view, NavigableMap<Long, RangeFile> ranges, boolean whole) {
            this.view = view;
            this.span = BUCKETS_PER_RANGE * view.def().granularityMs();
            this.ranges = ranges;
            this.whole = whole;
            this.rows = ranges.values().stream().mapToLong(RangeFile::rows).sum();
        }

        @Override
        public NavigableMap<Long, Map<GroupKey, Object[]>> buckets(long fromBucket, long toBucket) {
            NavigableMap<Long, Map<GroupKey, Object[]>> out = new TreeMap<>();
            forEach(fromBucket, toBucket, out::put);
            return out;
        }

        @Override
        public void forEach(long fromBucket, long toBucket, BiConsumer<Long, Map<GroupKey, Object[]>> visitor) {
            if (fromBucket >= toBucket || ranges.isEmpty()) {
                return;
            }
            Collection<RangeFile> files = whole ? ranges.values()
                    : ranges.subMap(Math.floorDiv(fromBucket, span), true, Math.floorDiv(toBucket - 1, span), true)
                    .values();
            for (RangeFile f : files) {
                read(f).subMap(fromBucket, true, toBucket, false).forEach(visitor);
            }
        }

        private NavigableMap<Long, Map<GroupKey, Object[]>> read(RangeFile f) {
            if (f.damage != null) {
                throw new IllegalStateException(f.damage);
            }
            return cache.get(f.key, f.bytes, () -> {
                try {
                    NavigableMap<Long, Map<GroupKey, Object[]>> rows = readFile(f.file, view);
                    if (rows == null) {
                        throw new IllegalStateException(f.file + " was rewritten for another definition of view "
                                + view.name());
                    }
                    return rows;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + f.file + damageOf(f), e);
                }
            });
        }

        @Override
        public long rows() {
            return rows;
        }

        @Override
        public NavigableSet<Long> ranges(long span) {
            if (!whole && span == this.span) {
                return Collections.unmodifiableNavigableSet(ranges.navigableKeySet());
            }
            NavigableSet<Long> out = new TreeSet<>();
            forEach(Long.MIN_VALUE, Long.MAX_VALUE, (bucket, dims) -> out.add(Math.floorDiv(bucket, span)));
            return out;
        }
    }

    /**
     * Where a range file that cannot be read differs from what was written to it, in parentheses; empty when that
     * is not known (a version written before checksums) or it does not differ.
     */
    private static String damageOf(RangeFile f) {
        try {
            String why = f.bin() == null ? null : f.bin().damage(f.file());
            return why == null ? "" : " (" + why + ")";
        } catch (IOException e) {
            return "";
        }
    }

    /** The rows of one file, or null when the view's definition changed since it was written. */
    private static NavigableMap<Long, Map<GroupKey, Object[]>> readFile(Path file, CompiledView view)
            throws IOException {
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
            rows.replaceAll((bucket, dims) -> Collections.unmodifiableMap(dims));
            return Collections.unmodifiableNavigableMap(rows);
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
