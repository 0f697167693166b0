package io.tandem.core.measure;

import io.tandem.core.FieldType;
import io.tandem.core.ResultType;
import io.tandem.core.Row;
import io.tandem.core.expr.SqlColumns;

/**
 * Where a measure reads its value: a declared field by index, or the event time when the measure names the
 * stream's time field and the stream does not also declare it.
 */
final class Input {

    private static final int EVENT_TIME = -1;

    final String name;
    final FieldType type;
    private final int index;

    private Input(String name, FieldType type, int index) {
        this.name = name;
        this.type = type;
        this.index = index;
    }

    static Input field(String name, FieldType type, int index) {
        return new Input(name, type, index);
    }

    static Input eventTime(String name) {
        return new Input(name, FieldType.TIMESTAMP, EVENT_TIME);
    }

    boolean isNull(Row row) {
        return index != EVENT_TIME && row.isNull(index);
    }

    /** A long or timestamp value. */
    long getLong(Row row) {
        return index == EVENT_TIME ? row.eventTime() : row.getLong(index);
    }

    /** Any numeric value as a double. */
    double getNumber(Row row) {
        return index == EVENT_TIME ? row.eventTime() : row.getNumber(index);
    }

    boolean getBoolean(Row row) {
        return row.getBoolean(index);
    }

    String getString(Row row) {
        return row.getString(index);
    }

    /** The value in SQL: a BIGINT (long, timestamp as epoch ms), DOUBLE, VARCHAR or BOOLEAN expression. */
    String sql(SqlColumns columns) {
        return columns.value(name);
    }

    /** Whether values are read exactly as longs (long, timestamp) rather than as doubles. */
    /** The result type of a measure that returns one of this field's values (an extreme, first, last). */
    ResultType resultType() {
        return switch (type) {
            case LONG -> ResultType.LONG;
            case TIMESTAMP -> ResultType.TIMESTAMP;
            case DOUBLE -> ResultType.DOUBLE;
            default -> throw new IllegalStateException("no numeric result from a " + type.configName() + " field");
        };
    }

    boolean isIntegral() {
        return type == FieldType.LONG || type == FieldType.TIMESTAMP;
    }
}
