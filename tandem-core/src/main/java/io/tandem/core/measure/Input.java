package io.tandem.core.measure;

import io.tandem.core.FieldType;
import io.tandem.core.ResultType;
import io.tandem.core.Row;
import io.tandem.core.expr.FieldReader;
import io.tandem.core.expr.SqlColumns;

/**
 * Where a measure reads its value: a declared field, the event time when the measure names the stream's time field
 * and the stream does not also declare it, or a derived field.
 */
final class Input {

    final String name;
    final FieldType type;
    private final FieldReader reader;

    Input(FieldReader reader) {
        this.name = reader.name();
        this.type = reader.type();
        this.reader = reader;
    }

    boolean isNull(Row row) {
        return reader.isNull(row);
    }

    /** A long or timestamp value. */
    long getLong(Row row) {
        return reader.getLong(row);
    }

    /** Any numeric value as a double. */
    double getNumber(Row row) {
        return reader.getNumber(row);
    }

    boolean getBoolean(Row row) {
        return reader.getBoolean(row);
    }

    String getString(Row row) {
        return reader.getString(row);
    }

    /** The value in SQL: a BIGINT (long, timestamp as epoch ms), DOUBLE, VARCHAR or BOOLEAN expression. */
    String sql(SqlColumns columns) {
        return columns.value(name);
    }

    /** The result type of a measure that returns one of this field's values (an extreme, first, last). */
    ResultType resultType() {
        return switch (type) {
            case LONG -> ResultType.LONG;
            case TIMESTAMP -> ResultType.TIMESTAMP;
            case DOUBLE -> ResultType.DOUBLE;
            default -> throw new IllegalStateException("no numeric result from a " + type.configName() + " field");
        };
    }

    /** Whether values are read exactly as longs (long, timestamp) rather than as doubles. */
    boolean isIntegral() {
        return type == FieldType.LONG || type == FieldType.TIMESTAMP;
    }
}
