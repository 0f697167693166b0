package io.tandem.core.measure;

import io.tandem.core.Measure;
import io.tandem.core.Row;
import io.tandem.core.expr.SqlColumns;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/**
 * {@code sum} of a long or timestamp field: a Long. It wraps around on overflow like Java's {@code long}, which
 * keeps it exactly associative and commutative.
 */
final class LongSum implements Measure<LongAcc>, SqlExpressible<LongAcc> {

    private final Input input;

    LongSum(Input input) {
        this.input = input;
    }

    @Override
    public LongAcc create() {
        return new LongAcc();
    }

    @Override
    public void add(LongAcc acc, Row row) {
        if (!input.isNull(row)) {
            acc.n++;
            acc.value += input.getLong(row);
        }
    }

    @Override
    public LongAcc merge(LongAcc left, LongAcc right) {
        left.n += right.n;
        left.value += right.value;
        return left;
    }

    @Override
    public Object result(LongAcc acc) {
        return acc.n == 0 ? null : acc.value;
    }

    @Override
    public void write(LongAcc acc, DataOutput out) throws IOException {
        acc.write(out);
    }

    @Override
    public LongAcc read(DataInput in) throws IOException {
        return LongAcc.read(in);
    }

    /** {@code count(f)} and {@code sum(f)}: DuckDB sums BIGINT into a HUGEINT; its low 64 bits are the wrapped sum. */
    @Override
    public SqlForm<LongAcc> sqlForm(SqlColumns columns, String filter) {
        String v = input.sql(columns);
        return SqlForms.of(List.of(SqlForms.filter("count(" + v + ")", filter),
                SqlForms.filter("sum(" + v + ")", filter)), (values, offset) -> {
                    LongAcc acc = new LongAcc();
                    acc.n = SqlForms.wrapped(values[offset]);
                    acc.value = SqlForms.wrapped(values[offset + 1]);
                    return acc;
                });
    }
}
