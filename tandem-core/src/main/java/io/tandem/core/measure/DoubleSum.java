package io.tandem.core.measure;

import io.tandem.core.Measure;
import io.tandem.core.ResultType;
import io.tandem.core.Row;
import io.tandem.core.expr.SqlColumns;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/** {@code sum} of a double field, or {@code mean} of any numeric field: a Double, compensated. */
final class DoubleSum implements Measure<DoubleAcc>, SqlExpressible<DoubleAcc> {

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
    public ResultType resultType() {
        return ResultType.DOUBLE;
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

    /**
     * {@code count(f)} and the sum: of a long or timestamp field exactly (DuckDB sums BIGINT into a HUGEINT), kept
     * as the nearest double plus the remainder; of a double field by {@code fsum}, DuckDB's compensated sum, so the
     * result is the hot path's within a few units in the last place of the sum of |x|. When the sum leaves the
     * double range, {@code fsum}'s compensation turns it into NaN where the hot path keeps the infinity of the
     * plain sum: then the plain {@code sum(f)} is taken, as the hot path does.
     */
    @Override
    public SqlForm<DoubleAcc> sqlForm(SqlColumns columns, String filter) {
        String v = input.sql(columns);
        if (input.isIntegral()) {
            return SqlForms.of(List.of(SqlForms.filter("count(" + v + ")", filter),
                    SqlForms.filter("sum(" + v + ")", filter)), (values, offset) -> {
                        DoubleAcc acc = new DoubleAcc();
                        acc.n = SqlForms.wrapped(values[offset]);
                        SqlForms.exactSum(acc, values[offset + 1]);
                        return acc;
                    });
        }
        return SqlForms.of(List.of(SqlForms.filter("count(" + v + ")", filter),
                SqlForms.filter("fsum(" + v + ")", filter), SqlForms.filter("sum(" + v + ")", filter)),
                (values, offset) -> {
                    DoubleAcc acc = new DoubleAcc();
                    acc.n = SqlForms.wrapped(values[offset]);
                    acc.value = SqlForms.real(values[offset + 1]);
                    if (!Double.isFinite(acc.value)) {
                        acc.value = SqlForms.real(values[offset + 2]);
                    }
                    return acc;
                });
    }
}
