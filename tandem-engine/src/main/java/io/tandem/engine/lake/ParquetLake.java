package io.tandem.engine.lake;

import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.engine.durable.BlockChecksums;
import io.tandem.engine.durable.Durable;
import io.tandem.spi.lake.Lake;
import io.tandem.spi.lake.LakeFile;
import io.tandem.spi.lake.SealedEpoch;
import io.tandem.spi.log.EventLog;
import org.duckdb.DuckDBConnection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.LongSupplier;

/**
 * The embedded {@link Lake}: a local folder of Parquet files in Hive-style partitions, written with DuckDB, that
 * DuckDB, Spark and pandas read with no Tandem code.
 *
 * <h2>Files</h2>
 * <pre>
 * lake/trades/_manifest.json                        what is in the lake: the truth (format in Manifest)
 * lake/trades/epoch=5796410/part-0.parquet          the events of epoch 5796410 that partition 0 received
 * lake/trades/epoch=5796410/part-1.parquet          ... and partition 1; a partition without events has no file
 * lake/trades/epoch=5796411/...
 * lake/trades/epoch=5796411/.part-0.parquet.tmp     being written; removed on open
 * </pre>
 * An epoch is {@code floorDiv(arrival ms, epoch ms)} (TandemConfig#epochOf): negative before 1970.
 *
 * <h2>Columns of a file, in order</h2>
 * <pre>
 * +------------------+-----------+------------------------------------------------------------------------+
 * | column           | type      | content                                                                |
 * +------------------+-----------+------------------------------------------------------------------------+
 * | (each field)     | by type   | every declared field but the time field, in declaration order:         |
 * |                  |           | string VARCHAR, long BIGINT, double DOUBLE, boolean BOOLEAN,           |
 * |                  |           | timestamp TIMESTAMP; null when the event had none                      |
 * | (time field)     | TIMESTAMP | the event time, UTC (named after the stream's time field; present once |
 * |                  |           | even when the time field is also a declared field)                     |
 * | _arrival         | TIMESTAMP | when the log accepted the event, UTC                                   |
 * | _epoch           | BIGINT    | the event's epoch (the folder's E)                                     |
 * | _partition       | INTEGER   | the log partition (the file's P)                                       |
 * | _offset          | BIGINT    | the event's offset in that partition; rows are in offset order        |
 * +------------------+-----------+------------------------------------------------------------------------+
 * </pre>
 * TIMESTAMP is Parquet's INT64 timestamp in microseconds, not adjusted to UTC (DuckDB TIMESTAMP, Spark
 * timestamp_ntz); the values are UTC, and millisecond times round-trip exactly. Times are written from year 0001 to
 * 9999, which every reader holds: an event with a time outside (event time or timestamp field) is left out of the
 * lake with a warning naming it, and its offset is passed like a marker's. A stream field may not be named
 * {@code _arrival}, {@code _epoch}, {@code _partition}, {@code _offset} or {@code epoch} (the Hive column).
 *
 * <h2>Parquet settings</h2>
 * zstd compression, row groups of 122,880 rows, written by one DuckDB thread from a table filled in log order, so
 * the same records give a byte-identical file (with the same DuckDB version).
 *
 * <h2>Sealing and exactly once</h2>
 * Epoch {@code e} of a stream is ready when every partition has either a durable record of an epoch after
 * {@code e}, or the clock has passed {@code epochStart(e + 1)} plus a grace of {@value #GRACE_MS} ms with every
 * durable record read. The log stamps arrivals under its partition lock, never going back within a partition,
 * and exposes only durable records; so after the grace nothing more can land in {@code e} unless an fsync took
 * longer than the grace or the clock stepped back across an idle partition. Should that happen, sealing that
 * stream stops with an error naming the record, rather than writing a sealed epoch twice.
 *
 * <p>Each partition is read forward once from the lake's next offset; its records of one epoch go through a
 * DuckDB appender into a staging table (idempotency markers are skipped), and when the partition's epoch is
 * complete they are written with {@code COPY ... TO} under a temp name, fsynced, renamed into place, and the
 * folder fsynced. After that the manifest is replaced the same way, and only then are the files listed. On
 * open the manifest is the truth: temp files and Parquet files it does not list are deleted, and sealing writes
 * the latter again, identically, from the log; so log retention must keep every record from {@link #nextOffset} on.
 *
 * <h2>Damage</h2>
 * The manifest keeps each file's size and a CRC-32C per MiB, computed from the file as written. {@link #verify}
 * (called by every batch run for the files it reads) reads them again; a file that differs or is gone is moved to
 * {@code <file>.damaged}, and written again from the log if the log still holds its offsets, else the run fails
 * with an error naming the file, the byte range and the offsets lost, and asking for an intact copy. A listed file
 * missing at open is logged, not fatal: the epochs that do not need it are served.
 *
 * <p>The DuckDB instance is private, in memory, and never runs user SQL.
 */
public final class ParquetLake implements Lake {

    /** How long after an epoch's end the clock rule waits for records still on their way to disk. */
    public static final long GRACE_MS = 1_000;

    private final Path root;
    private final LongSupplier clock;
    private final DuckDBConnection connection;
    private final Map<String, StreamLake> streams = new LinkedHashMap<>();
    private boolean closed;

    /**
     * Opens the lake in {@code dir}, creating it when absent, and recovers every stream's folder.
     *
     * @param dir    the lake's folder, {@code <data-dir>/lake}
     * @param config the streams and the epoch length
     * @param logs   the log of every stream in {@code config}, by stream name
     * @param clock  the same clock (epoch ms) the logs stamp arrivals with
     * @throws IllegalArgumentException when a stream has no log or uses a name the lake reserves
     * @throws IllegalStateException    when a manifest does not match its log or lists a missing file
     * @throws UncheckedIOException     when the folder cannot be read or written
     */
    /** A query of no rows with the columns a stream's files have: its SQL table before the first sealed epoch. */
    public static String emptySelect(StreamDef stream) {
        return new LakeColumns(stream).emptySelect();
    }

    public ParquetLake(Path dir, TandemConfig config, Map<String, EventLog> logs, LongSupplier clock, DuckDb duckdb) {
        this.root = dir.toAbsolutePath();
        this.clock = clock;
        for (StreamDef s : config.streams().values()) {
            if (logs.get(s.name()) == null) {
                throw new IllegalArgumentException("logs: no log for stream '" + s.name() + "'");
            }
        }
        try {
            Properties settings = new Properties();
            settings.setProperty("threads", "1");
            settings.setProperty("preserve_insertion_order", "true");
            this.connection = duckdb.open("lake-writer", settings);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot start the lake's DuckDB writer", e);
        }
        try {
            Durable.createDirectory(root);
            int i = 0;
            for (StreamDef s : config.streams().values()) {
                streams.put(s.name(), StreamLake.open(s, root.resolve(s.name()), logs.get(s.name()), config,
                        GRACE_MS, connection, "stage_" + i++));
            }
        } catch (IOException | SQLException | RuntimeException e) {
            closeConnection(e);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot open the lake in " + root, io);
            }
            if (e instanceof SQLException sql) {
                throw new IllegalStateException("cannot open the lake in " + root, sql);
            }
            throw (RuntimeException) e;
        }
    }

    private void closeConnection(Exception cause) {
        try {
            connection.close();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public Path root() {
        return root;
    }

    private StreamLake stream(String stream) {
        StreamLake s = streams.get(stream);
        if (s == null) {
            throw new IllegalArgumentException("stream: expected one of " + streams.keySet() + ", got '" + stream
                    + "'");
        }
        return s;
    }

    @Override
    public long sealedThrough(String stream) {
        return stream(stream).manifest().sealedThrough();
    }

    @Override
    public List<LakeFile> files(String stream, long afterEpoch, long throughEpoch) {
        return stream(stream).manifest().files(afterEpoch, throughEpoch);
    }

    @Override
    public long nextOffset(String stream, int partition) {
        return stream(stream).manifest().nextOffset(partition);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A stream that fails to seal (an I/O error, or arrival times that went back) is left as its manifest says;
     * the other streams go on, and then the call throws, naming every stream that failed and why. The next call
     * tries it again. Nothing is logged here: the caller decides how often to say it.
     */
    @Override
    public synchronized List<SealedEpoch> sealReadyEpochs() {
        if (closed) {
            throw new IllegalStateException("the lake in " + root + " is closed");
        }
        long now = clock.getAsLong();
        List<SealedEpoch> sealed = new ArrayList<>();
        IllegalStateException failure = null;
        for (Map.Entry<String, StreamLake> e : streams.entrySet()) {
            StreamLake s = e.getValue();
            try {
                sealed.addAll(s.seal(now));
            } catch (IOException | SQLException | RuntimeException cause) {
                long through = s.manifest().sealedThrough();
                String prefix = "lake of stream '" + e.getKey() + "': ";
                String reason = cause instanceof IllegalStateException ? cause.getMessage()
                        : cause.getClass().getSimpleName() + ": " + cause.getMessage();
                IllegalStateException f = new IllegalStateException(prefix
                        + (through == Long.MIN_VALUE ? "no epoch sealed yet" : "sealed through epoch " + through)
                        + ", the next one fails: "
                        + (reason.startsWith(prefix) ? reason.substring(prefix.length()) : reason), cause);
                if (failure == null) {
                    failure = f;
                } else {
                    failure.addSuppressed(f);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return sealed;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Each file is read whole and its CRC-32C per MiB compared with the manifest's ({@link BlockChecksums}).
     */
    @Override
    public synchronized void verify(List<LakeFile> files) {
        if (closed) {
            throw new IllegalStateException("the lake in " + root + " is closed");
        }
        for (LakeFile f : files) {
            try {
                stream(f.stream()).verify(f);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot check lake file " + f.path(), e);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot write lake file " + f.path() + " again from the log", e);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IllegalStateException("closing the lake's DuckDB writer failed", e);
        }
    }

    @Override
    public String toString() {
        return "ParquetLake[" + root + ", streams " + streams.keySet() + "]";
    }
}
