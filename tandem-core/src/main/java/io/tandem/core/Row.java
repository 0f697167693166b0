package io.tandem.core;

/**
 * One event as the measures see it. Field accessors take the field's index in its {@link StreamDef}.
 * Implementations may be flyweights reused from one event to the next: never keep a Row.
 */
public interface Row {

    /** Event time, epoch milliseconds. */
    long eventTime();

    /** Arrival time stamped by the log, epoch milliseconds. */
    long arrivalTime();

    /**
     * Arrival order among events with the same arrival time: {@code partition << 48 | offset}. Together with
     * {@link #arrivalTime()} it orders events by arrival, which breaks event-time ties for first and last.
     */
    long sequence();

    boolean isNull(int field);

    /** A long or timestamp field (timestamps are epoch milliseconds). */
    long getLong(int field);

    double getDouble(int field);

    boolean getBoolean(int field);

    String getString(int field);

    /** A numeric field (long, double or timestamp) as a double. */
    double getNumber(int field);
}
