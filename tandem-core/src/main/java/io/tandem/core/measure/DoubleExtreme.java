package io.tandem.core.measure;

import io.tandem.core.Measure;
import io.tandem.core.Row;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * {@code min} or {@code max} of a double field: a Double, by {@link Math#min(double, double)} and
 * {@link Math#max(double, double)}, so NaN wins and -0.0 is below 0.0 whatever the order.
 */
final class DoubleExtreme implements Measure<DoubleAcc> {

    private final Input input;
    private final boolean max;

    DoubleExtreme(Input input, boolean max) {
        this.input = input;
        this.max = max;
    }

    @Override
    public DoubleAcc create() {
        return new DoubleAcc();
    }

    @Override
    public void add(DoubleAcc acc, Row row) {
        if (!input.isNull(row)) {
            accept(acc, 1, input.getNumber(row));
        }
    }

    private void accept(DoubleAcc acc, long n, double v) {
        if (acc.n == 0) {
            acc.value = v;
        } else {
            acc.value = max ? Math.max(acc.value, v) : Math.min(acc.value, v);
        }
        acc.n += n;
    }

    @Override
    public DoubleAcc merge(DoubleAcc left, DoubleAcc right) {
        if (right.n > 0) {
            accept(left, right.n, right.value);
        }
        return left;
    }

    @Override
    public Object result(DoubleAcc acc) {
        return acc.n == 0 ? null : acc.value;
    }

    @Override
    public void write(DoubleAcc acc, DataOutput out) throws IOException {
        acc.write(out);
    }

    @Override
    public DoubleAcc read(DataInput in) throws IOException {
        return DoubleAcc.read(in);
    }
}
