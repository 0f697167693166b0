package io.tandem.core;


/**
 * A record as the measures see it, built from plain values (a lake row read by a batch engine): Strings, Longs
 * (timestamps as epoch ms), Doubles, Booleans or nulls, by field index. Reused from one record to the next.
 */
public final class ValueRow implements Row {

    private final Object[] values;
    private long eventTime;
    private long arrivalTime;
    private long sequence;

    public ValueRow(int fields) {
        this.values = new Object[fields];
    }

    public void set(int field, Object value) {
        values[field] = value;
    }

    /** The record's place: event time, arrival time and {@link Row#sequence()}. */
    public void position(long eventTime, long arrivalTime, long sequence) {
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
