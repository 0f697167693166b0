package io.tandem.core.expr;

import io.tandem.core.FieldType;
import io.tandem.core.Row;

/**
 * Reads one named value of an event: a declared field, the event time, or a derived field computed from the
 * declared ones ({@link Expressions#reader}). The getters may be called only when {@link #isNull} is false, with
 * the getter of {@link #type()} ({@link #getNumber} for any numeric type). Readers are immutable and thread-safe.
 */
public interface FieldReader {

    String name();

    FieldType type();

    /**
     * Whether the value is missing: a null field, or, for a derived field, a null field it reads or an arithmetic
     * error (integer overflow, division by zero) in its expression.
     */
    boolean isNull(Row row);

    /** A long or timestamp value (epoch ms). */
    long getLong(Row row);

    double getDouble(Row row);

    /** Any numeric value as a double. */
    double getNumber(Row row);

    boolean getBoolean(Row row);

    String getString(Row row);

    /** The value as a Long, Double, Boolean or String (a timestamp as epoch ms), or null. */
    default Object value(Row row) {
        if (isNull(row)) {
            return null;
        }
        return switch (type()) {
            case STRING -> getString(row);
            case LONG, TIMESTAMP -> getLong(row);
            case DOUBLE -> getDouble(row);
            case BOOLEAN -> getBoolean(row);
        };
    }
}
