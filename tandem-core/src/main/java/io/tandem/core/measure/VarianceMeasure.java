package io.tandem.core.measure;

import io.tandem.core.Measure;
import io.tandem.core.Row;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** {@code variance}: the population variance of a numeric field, a Double. */
final class VarianceMeasure implements Measure<Moments> {

    private final Input input;

    VarianceMeasure(Input input) {
        this.input = input;
    }

    @Override
    public Moments create() {
        return new Moments();
    }

    @Override
    public void add(Moments acc, Row row) {
        if (!input.isNull(row)) {
            acc.add(input.getNumber(row));
        }
    }

    @Override
    public Moments merge(Moments left, Moments right) {
        left.merge(right);
        return left;
    }

    @Override
    public Object result(Moments acc) {
        return acc.n == 0 ? null : acc.m2 / acc.n;
    }

    @Override
    public void write(Moments acc, DataOutput out) throws IOException {
        acc.write(out);
    }

    @Override
    public Moments read(DataInput in) throws IOException {
        return Moments.read(in);
    }
}
