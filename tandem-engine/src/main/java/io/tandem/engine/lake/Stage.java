package io.tandem.engine.lake;

import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;

import static io.tandem.core.expr.SqlColumns.quote;

/**
 * The events of one partition's current epoch on their way into a Parquet file: a DuckDB table filled through an
 * appender, in log order. Holds at most one epoch; {@link #epoch} is {@link #NONE} when empty.
 */
final class Stage {

    static final long NONE = Long.MIN_VALUE;
    /** The earliest time the lake writes, 0001-01-01T00:00:00Z in epoch ms: Spark, DuckDB and pyarrow read it. */
    static final long MIN_TIME_MS = -62_135_596_800_000L;
    /** The latest time the lake writes, 9999-12-31T23:59:59.999Z in epoch ms. */
    static final long MAX_TIME_MS = 253_402_300_799_999L;
    private static final String PARQUET_OPTIONS = "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)";

    private final DuckDBConnection connection;
    private final String table;
    private final LakeColumns columns;
    private final BinaryRow row;
    private DuckDBAppender appender;
    /** The epoch of the staged records, or {@link #NONE}. */
    long epoch = NONE;
    /** The log offset of the first staged record (events and markers alike). */
    long startOffset;
    /** Events staged. */
    long rows;

    Stage(DuckDBConnection connection, String table, StreamDef stream, LakeColumns columns) throws SQLException {
        this.connection = connection;
        this.table = table;
        this.columns = columns;
        this.row = new RowCodec(stream).reader();
        execute(columns.createTable(table));
    }

    private void execute(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    void begin(long newEpoch, long offset) {
        epoch = newEpoch;
        startOffset = offset;
        rows = 0;
    }

    /**
     * Stages one event: decodes the payload in place and appends it as a row, unless it cannot be decoded (the hot
     * path leaves such a record out too, by the stream's {@code on_bad_event}) or one of its times (the event time or
     * a timestamp field) lies outside [{@link #MIN_TIME_MS}, {@link #MAX_TIME_MS}], which the lake cannot write for
     * every reader.
     *
     * @return null when staged, otherwise why the event was left out (naming the field and its value)
     */
    String append(long offset, long arrivalMs, byte[] buf, int off, int len) throws SQLException {
        BinaryRow r;
        try {
            r = row.reset(buf, off, len, arrivalMs, offset);
        } catch (IllegalArgumentException undecodable) {
            return "cannot decode its payload: " + undecodable.getMessage();
        }
        int[] fields = columns.fields;
        for (int c = 0; c < fields.length; c++) {
            if (columns.types[c] == FieldType.TIMESTAMP && !r.isNull(fields[c])) {
                String bad = outOfRange(columns.name(c), r.getLong(fields[c]));
                if (bad != null) {
                    return bad;
                }
            }
        }
        String bad = outOfRange(columns.timeColumn(), r.eventTime());
        if (bad != null) {
            return bad;
        }
        if (appender == null) {
            appender = connection.createAppender(DuckDBConnection.DEFAULT_SCHEMA, table);
        }
        DuckDBAppender a = appender.beginRow();
        for (int c = 0; c < fields.length; c++) {
            int f = fields[c];
            if (r.isNull(f)) {
                a.appendNull();
                continue;
            }
            switch (columns.types[c]) {
                case STRING -> a.append(r.getString(f));
                case LONG -> a.append(r.getLong(f));
                case DOUBLE -> a.append(r.getDouble(f));
                case BOOLEAN -> a.append(r.getBoolean(f));
                case TIMESTAMP -> a.appendEpochMicros(r.getLong(f) * 1000);
                default -> throw new IllegalStateException(columns.types[c].toString());
            }
        }
        a.appendEpochMicros(r.eventTime() * 1000).appendEpochMicros(arrivalMs * 1000).append(offset).endRow();
        rows++;
        return null;
    }

    private static String outOfRange(String field, long ms) {
        if (ms >= MIN_TIME_MS && ms <= MAX_TIME_MS) {
            return null;
        }
        return field + ": " + ms + " ms is outside the times the lake can write (years 0001 to 9999: " + MIN_TIME_MS
                + " to " + MAX_TIME_MS + " ms)";
    }

    /** Moves the staged rows from the appender into the table; the stage keeps them. */
    void flush() throws SQLException {
        if (appender != null) {
            DuckDBAppender a = appender;
            appender = null;
            a.close();
        }
    }

    /** Writes the staged rows, in log order, as a Parquet file at {@code file} (not fsynced), and empties the stage. */
    void writeParquet(Path file, int partition) throws SQLException {
        flush();
        String target = file.toAbsolutePath().toString().replace("'", "''");
        execute("COPY (" + columns.select(table, epoch, partition) + ") TO '" + target + "' " + PARQUET_OPTIONS);
        clear();
    }

    /** Drops whatever is staged; a new table gives the memory back, which a DELETE would not. */
    void clear() throws SQLException {
        if (rows == 0 && appender == null) {
            epoch = NONE;
            return;
        }
        try {
            flush();
        } finally {
            epoch = NONE;
            rows = 0;
            execute("DROP TABLE " + quote(table));
            execute(columns.createTable(table));
        }
    }
}
