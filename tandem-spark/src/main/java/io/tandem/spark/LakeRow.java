package io.tandem.spark;

import io.tandem.core.Row;

import java.io.Serializable;

/**
 * A lake record as the measures see it, read from a Spark row of the columns {@link Layout} places: Strings,
 * Longs (timestamps as epoch ms, converted by Spark), Doubles, Booleans or nulls, by field index. Reused from one
 * record to the next.
 */
final class LakeRow implements Row {

    /**
     * Where the lake's columns are in the Spark rows the engine selects, -1 for a field not selected; the
     * timestamps (TIMESTAMP fields, time, arrival) as BIGINT epoch ms.
     */
    record Layout(int[] fieldColumns, int time, int arrival, int partition, int offset, int epoch)
            implements Serializable {
    }

    private static final int SEQUENCE_SHIFT = 48;

    private final Layout layout;
    private final Object[] values;
    private long eventTime;
    private long arrivalTime;
    private long sequence;

    LakeRow(Layout layout) {
        this.layout = layout;
        this.values = new Object[layout.fieldColumns().length];
    }

    /** Reads one Spark row; the sequence is {@code partition << 48 | offset}, as {@link Row#sequence()} says. */
    void read(org.apache.spark.sql.Row row) {
        int[] columns = layout.fieldColumns();
        for (int f = 0; f < values.length; f++) {
            int c = columns[f];
            values[f] = c < 0 || row.isNullAt(c) ? null : row.get(c);
        }
        eventTime = row.getLong(layout.time());
        arrivalTime = row.getLong(layout.arrival());
        sequence = ((long) row.getInt(layout.partition()) << SEQUENCE_SHIFT) | row.getLong(layout.offset());
    }

    /** The epoch of a Spark row of this layout. */
    long epoch(org.apache.spark.sql.Row row) {
        return row.getLong(layout.epoch());
    }

    @Override
    public long eventTime() {
        return eventTime;
    }

    @Override
    public long arrivalTime() {
        return arrivalTime;
    }

    @Override
    public long sequence() {
        return sequence;
    }

    @Override
    public boolean isNull(int field) {
        return values[field] == null;
    }

    @Override
    public long getLong(int field) {
        return ((Number) values[field]).longValue();
    }

    @Override
    public double getDouble(int field) {
        return ((Number) values[field]).doubleValue();
    }

    @Override
    public boolean getBoolean(int field) {
        return (Boolean) values[field];
    }

    @Override
    public String getString(int field) {
        return (String) values[field];
    }

    @Override
    public double getNumber(int field) {
        return ((Number) values[field]).doubleValue();
    }
}
