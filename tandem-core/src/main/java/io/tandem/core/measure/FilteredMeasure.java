package io.tandem.core.measure;

import io.tandem.core.Measure;
import io.tandem.core.Row;
import io.tandem.core.expr.RowPredicate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** A measure with a {@code where} condition: adds only the events that satisfy it. Same binary form as the inner. */
final class FilteredMeasure<A> implements Measure<A> {

    private final Measure<A> inner;
    private final RowPredicate where;

    FilteredMeasure(Measure<A> inner, RowPredicate where) {
        this.inner = inner;
        this.where = where;
    }

    @Override
    public A create() {
        return inner.create();
    }

    @Override
    public void add(A acc, Row row) {
        if (where.test(row)) {
            inner.add(acc, row);
        }
    }

    @Override
    public A merge(A left, A right) {
        return inner.merge(left, right);
    }

    @Override
    public Object result(A acc) {
        return inner.result(acc);
    }

    @Override
    public void write(A acc, DataOutput out) throws IOException {
        inner.write(acc, out);
    }

    @Override
    public A read(DataInput in) throws IOException {
        return inner.read(in);
    }

    @Override
    public A copy(A acc) {
        return inner.copy(acc);
    }
}
