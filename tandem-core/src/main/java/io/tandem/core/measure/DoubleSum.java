package io.tandem.core.measure;

import io.tandem.core.Measure;
import io.tandem.core.Row;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** {@code sum} of a double field, or {@code mean} of any numeric field: a Double, compensated. */
final class DoubleSum implements Measure<DoubleAcc> {

    private final Input input;
    private final boolean mean;

    DoubleSum(Input input, boolean mean) {
        this.input = input;
        this.mean = mean;
    }

    @Override
    public DoubleAcc create() {
        return new DoubleAcc();
    }

    @Override
    public void add(DoubleAcc acc, Row row) {
        if (!input.isNull(row)) {
            acc.n++;
            acc.sum(input.getNumber(row));
        }
    }

    @Override
    public DoubleAcc merge(DoubleAcc left, DoubleAcc right) {
        left.n += right.n;
        left.sum(right.value);
        left.compensation += right.compensation;
        return left;
    }

    @Override
    public Object result(DoubleAcc acc) {
        if (acc.n == 0) {
            return null;
        }
        return mean ? acc.total() / acc.n : acc.total();
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
