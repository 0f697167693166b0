package io.tandem.engine.batch;

import io.tandem.core.Row;

/**
 * A lake record as the measures see it, built from SQL values: Strings, Longs (timestamps as epoch ms), Doubles,
 * Booleans or nulls, by field index. Reused from one record to the next.
 */
final class LakeRow implements Row {

    private final Object[] values;
    private long eventTime;
    private long arrivalTime;
    private long sequence;

    LakeRow(int fields) {
        this.values = new Object[fields];
    }

    void set(int field, Object value) {
        values[field] = value;
    }

    void position(long eventTime, long arrivalTime, long sequence) {
        this.eventTime = eventTime;
        this.arrivalTime = arrivalTime;
        this.sequence = sequence;
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
