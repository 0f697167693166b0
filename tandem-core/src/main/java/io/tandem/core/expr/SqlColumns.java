package io.tandem.core.expr;

import io.tandem.core.DerivedField;
import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;

import java.math.BigInteger;
import java.sql.SQLException;
import java.sql.Struct;

/**
 * How SQL over the lake names the parts of an event, so that measures and conditions can be written as SQL text.
 *
 * <p>The lake layout: one column per declared field (string VARCHAR, long BIGINT, double DOUBLE, boolean BOOLEAN,
 * timestamp TIMESTAMP), a TIMESTAMP column named after the stream's time field (the same column when the time field
 * is also declared), then {@code _arrival} TIMESTAMP, {@code _epoch} BIGINT, {@code _partition} INTEGER and
 * {@code _offset} BIGINT. Timestamps hold whole milliseconds, UTC. The SQL dialect is DuckDB's.
 *
 * <p>Values appear as the measures and conditions see them: timestamps as BIGINT epoch milliseconds.
 *
 * <p>The <em>order key</em> ranks events in the order first and last use, (event time, arrival time, sequence).
 * By default it is a STRUCT of the three (exact, but DuckDB compares structs slowly). When the ranges of arrival
 * time, partition and offset in the data are known ({@link #withOrderRange}) and fit, it is one HUGEINT instead:
 * <pre>
 * +-----------------------------+---------------------------------+-----------------------------------------+
 * | bits 127..64                | bits 62..s                      | bits s-1..0                             |
 * | event time, epoch us (i64)  | arrival us - min arrival us     | partition * offsetSpan + offset - min   |
 * +-----------------------------+---------------------------------+-----------------------------------------+
 * </pre>
 * Each part is order-preserving, so the HUGEINT order is the (event time, arrival time, sequence) order.
 * Instances are immutable.
 */
public final class SqlColumns {

    public static final String ARRIVAL = "_arrival";
    public static final String EPOCH = "_epoch";
    public static final String PARTITION = "_partition";
    public static final String OFFSET = "_offset";

    private static final int SEQUENCE_SHIFT = 48;
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private final StreamDef stream;
    private final OrderRange range;

    /** The packed key's constants; null when the key is a STRUCT. */
    private record OrderRange(long minArrivalUs, long minOffset, long offsetSpan, int lowBits) {
    }

    private SqlColumns(StreamDef stream, OrderRange range) {
        this.stream = stream;
        this.range = range;
    }

    /** The lake layout of {@code stream}, with a STRUCT order key. */
    public static SqlColumns lake(StreamDef stream) {
        return new SqlColumns(stream, null);
    }

    /**
     * The same columns with a packed HUGEINT order key, valid for data whose arrival times, partitions and offsets
     * lie in these ranges; unchanged when the ranges are too wide to pack into 64 bits.
     */
    public SqlColumns withOrderRange(long minArrivalMs, long maxArrivalMs, int maxPartition, long minOffset,
                                     long maxOffset) {
        if (maxArrivalMs < minArrivalMs || maxPartition < 0 || maxOffset < minOffset || minOffset < 0) {
            return lake(stream);
        }
        BigInteger arrivalSpan = BigInteger.valueOf(maxArrivalMs).subtract(BigInteger.valueOf(minArrivalMs))
                .multiply(BigInteger.valueOf(1000));
        BigInteger offsetSpan = BigInteger.valueOf(maxOffset).subtract(BigInteger.valueOf(minOffset))
                .add(BigInteger.ONE);
        BigInteger sequences = offsetSpan.multiply(BigInteger.valueOf(maxPartition + 1L));
        int lowBits = sequences.subtract(BigInteger.ONE).bitLength();
        if (arrivalSpan.bitLength() + lowBits > 63 || minArrivalMs < Long.MIN_VALUE / 1000
                || maxArrivalMs > Long.MAX_VALUE / 1000) {
            return lake(stream);
        }
        return new SqlColumns(stream, new OrderRange(minArrivalMs * 1000, minOffset, offsetSpan.longValueExact(),
                lowBits));
    }

    public StreamDef stream() {
        return stream;
    }

    /** Whether the order key is the packed HUGEINT rather than the STRUCT. */
    public boolean packedOrderKey() {
        return range != null;
    }

    /** A double-quoted SQL identifier. */
    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** A single-quoted SQL string literal. */
    public static String literal(String text) {
        return '\'' + text.replace("'", "''") + '\'';
    }

    /** The quoted column of a declared field or of the time field. */
    public String column(String field) {
        return quote(field);
    }

    /**
     * A field's value as measures and conditions read it: timestamps (and the time field) as BIGINT epoch ms, and a
     * derived field as its expression over the columns.
     *
     * @throws IllegalArgumentException for a name that is neither a declared or derived field nor the time field
     */
    public String value(String field) {
        DerivedField derived = stream.derived(field);
        if (derived != null) {
            return "(" + Expressions.derivedSql(derived, this) + ")";
        }
        FieldType type = stream.typeOf(field);
        if (type == null) {
            throw new IllegalArgumentException("unknown field '" + field + "' in stream '" + stream.name() + "'");
        }
        return type == FieldType.TIMESTAMP ? "epoch_ms(" + quote(field) + ")" : quote(field);
    }

    /** The TIMESTAMP column of the event time. */
    public String timeColumn() {
        return quote(stream.timeField());
    }

    /** The event time, BIGINT epoch ms. */
    public String eventTime() {
        return "epoch_ms(" + timeColumn() + ")";
    }

    /** The arrival time, BIGINT epoch ms. */
    public String arrivalTime() {
        return "epoch_ms(" + quote(ARRIVAL) + ")";
    }

    /** The sequence as {@code Row.sequence()} defines it: {@code partition << 48 | offset}, BIGINT. */
    public String sequence() {
        return "((CAST(" + quote(PARTITION) + " AS BIGINT) << " + SEQUENCE_SHIFT + ") | " + quote(OFFSET) + ")";
    }

    public String epoch() {
        return quote(EPOCH);
    }

    /** An expression ranking events by (event time, arrival time, sequence); see the class comment. */
    public String orderKey() {
        String eventUs = "epoch_us(" + timeColumn() + ")";
        String arrivalUs = "epoch_us(" + quote(ARRIVAL) + ")";
        if (range == null) {
            return "{'e': " + eventUs + ", 'a': " + arrivalUs + ", 's': " + sequence() + "}";
        }
        String low = "(((" + arrivalUs + " - " + range.minArrivalUs + ") << " + range.lowBits + ") | (CAST("
                + quote(PARTITION) + " AS BIGINT) * " + range.offsetSpan + " + (" + quote(OFFSET) + " - "
                + range.minOffset + ")))";
        // DuckDB refuses to shift a negative number: multiply by 2^64 instead
        return "(CAST(" + eventUs + " AS HUGEINT) * " + TWO_TO_64 + " + " + low + ")";
    }

    /**
     * The (event time, arrival time, sequence) of an order key value as JDBC returns it.
     *
     * @throws IllegalArgumentException when the value is not an order key of these columns
     */
    public long[] decodeOrderKey(Object key) {
        if (range == null) {
            Object[] parts;
            try {
                parts = ((Struct) key).getAttributes();
            } catch (SQLException | ClassCastException e) {
                throw new IllegalArgumentException("not an order key: " + key, e);
            }
            return new long[] {Math.floorDiv(((Number) parts[0]).longValue(), 1000L),
                    Math.floorDiv(((Number) parts[1]).longValue(), 1000L), ((Number) parts[2]).longValue()};
        }
        if (!(key instanceof BigInteger k)) {
            throw new IllegalArgumentException("not an order key: " + key);
        }
        long high = k.shiftRight(64).longValueExact();
        long low = k.longValue();
        long arrivalUs = range.minArrivalUs + (low >>> range.lowBits);
        long rank = range.lowBits == 0 ? 0 : low & (-1L >>> (64 - range.lowBits));
        long partition = rank / range.offsetSpan;
        long offset = rank % range.offsetSpan + range.minOffset;
        return new long[] {Math.floorDiv(high, 1000L), Math.floorDiv(arrivalUs, 1000L),
                (partition << SEQUENCE_SHIFT) | offset};
    }
}
