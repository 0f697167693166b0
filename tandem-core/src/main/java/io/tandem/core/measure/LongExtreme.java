package io.tandem.core.measure;

import io.tandem.core.Measure;
import io.tandem.core.ResultType;
import io.tandem.core.Row;
import io.tandem.core.expr.SqlColumns;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/** {@code min} or {@code max} of a long or timestamp field: a Long. */
final class LongExtreme implements Measure<LongAcc>, SqlExpressible<LongAcc> {

    private final Input input;
    private final boolean max;

    LongExtreme(Input input, boolean max) {
        this.input = input;
        this.max = max;
    }

    @Override
    public LongAcc create() {
        return new LongAcc();
    }

    @Override
    public void add(LongAcc acc, Row row) {
        if (!input.isNull(row)) {
            accept(acc, 1, input.getLong(row));
        }
    }

    private void accept(LongAcc acc, long n, long v) {
        if (acc.n == 0) {
            acc.value = v;
        } else {
            acc.value = max ? Math.max(acc.value, v) : Math.min(acc.value, v);
        }
        acc.n += n;
    }

    @Override
    public LongAcc merge(LongAcc left, LongAcc right) {
        if (right.n > 0) {
            accept(left, right.n, right.value);
        }
        return left;
    }

    @Override
    public ResultType resultType() {
        return input.resultType();
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

    /** {@code count(f)} and {@code min(f)} or {@code max(f)}. */
    @Override
    public SqlForm<LongAcc> sqlForm(SqlColumns columns, String filter) {
        String v = input.sql(columns);
        return SqlForms.of(List.of(SqlForms.filter("count(" + v + ")", filter),
                SqlForms.filter((max ? "max(" : "min(") + v + ")", filter)), (values, offset) -> {
                    LongAcc acc = new LongAcc();
                    acc.n = SqlForms.wrapped(values[offset]);
                    acc.value = SqlForms.wrapped(values[offset + 1]);
                    return acc;
                });
    }
}
