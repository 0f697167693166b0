package io.tandem.core.measure;

import io.tandem.core.Measure;
import io.tandem.core.ResultType;
import io.tandem.core.Row;
import io.tandem.core.expr.SqlColumns;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/** {@code variance}: the population variance of a numeric field, a Double. */
final class VarianceMeasure implements Measure<Moments>, SqlExpressible<Moments> {

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
    public ResultType resultType() {
        return ResultType.DOUBLE;
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

    /** {@code count(f)}, {@code avg(f)} and {@code var_pop(f)}: the sum of squared deviations is var_pop * n. */
    @Override
    public SqlForm<Moments> sqlForm(SqlColumns columns, String filter) {
        String v = input.sql(columns);
        return SqlForms.of(List.of(SqlForms.filter("count(" + v + ")", filter),
                SqlForms.filter("avg(" + v + ")", filter), SqlForms.filter("var_pop(" + v + ")", filter)),
                (values, offset) -> {
                    Moments acc = new Moments();
                    acc.n = SqlForms.wrapped(values[offset]);
                    acc.mean = SqlForms.real(values[offset + 1]);
                    acc.m2 = SqlForms.real(values[offset + 2]) * acc.n;
                    return acc;
                });
    }
}
