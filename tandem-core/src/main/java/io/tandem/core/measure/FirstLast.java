package io.tandem.core.measure;

import io.tandem.core.Measure;
import io.tandem.core.ResultType;
import io.tandem.core.Row;
import io.tandem.core.expr.SqlColumns;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/**
 * {@code first} or {@code last} of a numeric field: the value at the earliest (latest) event time, ties broken by
 * the earliest (latest) arrival, i.e. the smallest (largest) (arrival time, sequence). A Long for long and
 * timestamp fields, a Double for double fields.
 */
final class FirstLast implements Measure<Pick>, SqlExpressible<Pick> {

    private final Input input;
    private final boolean last;
    private final boolean integral;

    FirstLast(Input input, boolean last) {
        this.input = input;
        this.last = last;
        this.integral = input.isIntegral();
    }

    @Override
    public Pick create() {
        return new Pick();
    }

    @Override
    public void add(Pick acc, Row row) {
        if (input.isNull(row)) {
            return;
        }
        long v = integral ? input.getLong(row) : Double.doubleToRawLongBits(input.getNumber(row));
        offer(acc, row.eventTime(), row.arrivalTime(), row.sequence(), v);
    }

    private void offer(Pick acc, long eventTime, long arrivalTime, long sequence, long value) {
        if (!acc.present) {
            acc.set(eventTime, arrivalTime, sequence, value);
            return;
        }
        int c = acc.compareTo(eventTime, arrivalTime, sequence, value);
        if (last ? c < 0 : c > 0) {
            acc.set(eventTime, arrivalTime, sequence, value);
        }
    }

    @Override
    public Pick merge(Pick left, Pick right) {
        if (right.present) {
            offer(left, right.eventTime, right.arrivalTime, right.sequence, right.value);
        }
        return left;
    }

    @Override
    public ResultType resultType() {
        return input.resultType();
    }

    @Override
    public Object result(Pick acc) {
        if (!acc.present) {
            return null;
        }
        return integral ? (Object) acc.value : (Object) Double.longBitsToDouble(acc.value);
    }

    @Override
    public void write(Pick acc, DataOutput out) throws IOException {
        acc.write(out);
    }

    @Override
    public Pick read(DataInput in) throws IOException {
        return Pick.read(in);
    }

    /**
     * {@code arg_min(f, key)} and {@code min(key)} (last: arg_max and max) over the rows where f is not null, with
     * {@link SqlColumns#orderKey()} as the key: the value of the event first (last) in (event time, arrival time,
     * sequence) order, and that position. Two rows have the same key only if they are the same log record.
     */
    @Override
    public SqlForm<Pick> sqlForm(SqlColumns columns, String filter) {
        String v = input.sql(columns);
        String key = columns.orderKey();
        String where = SqlForms.and(v + " IS NOT NULL", filter);
        return SqlForms.of(List.of(SqlForms.filter((last ? "arg_max(" : "arg_min(") + v + ", " + key + ")", where),
                SqlForms.filter((last ? "max(" : "min(") + key + ")", where)), (values, offset) -> {
                    Pick acc = new Pick();
                    Object value = values[offset];
                    if (value != null) {
                        long[] position = columns.decodeOrderKey(values[offset + 1]);
                        long bits = integral ? ((Number) value).longValue()
                                : Double.doubleToRawLongBits(((Number) value).doubleValue());
                        acc.set(position[0], position[1], position[2], bits);
                    }
                    return acc;
                });
    }
}
