package io.tandem.core.measure;

import io.tandem.core.Measure;
import io.tandem.core.Row;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * {@code first} or {@code last} of a numeric field: the value at the earliest (latest) event time, ties broken by
 * the earliest (latest) arrival, i.e. the smallest (largest) (arrival time, sequence). A Long for long and
 * timestamp fields, a Double for double fields.
 */
final class FirstLast implements Measure<Pick> {

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
}
