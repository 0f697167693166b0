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
 * {@code min} or {@code max} of a double field: a Double, by {@link Math#min(double, double)} and
 * {@link Math#max(double, double)}, so NaN wins and -0.0 is below 0.0 whatever the order.
 */
final class DoubleExtreme implements Measure<DoubleAcc>, SqlExpressible<DoubleAcc> {

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
    public ResultType resultType() {
        return ResultType.DOUBLE;
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

    /**
     * {@code count(f)}, {@code min(f)} or {@code max(f)}, and the sign of a zero result: DuckDB holds -0.0 equal to
     * 0.0 where {@link Math#min(double, double)} puts it below. When the minimum is zero every value is at least
     * zero, so a sign bit among them is a -0.0 and the minimum is -0.0; when the maximum is zero it is -0.0 only if
     * every value has its sign bit. (Field values are finite: the event parser refuses NaN and infinities.)
     */
    @Override
    public SqlForm<DoubleAcc> sqlForm(SqlColumns columns, String filter) {
        String v = input.sql(columns);
        return SqlForms.of(List.of(SqlForms.filter("count(" + v + ")", filter),
                SqlForms.filter((max ? "max(" : "min(") + v + ")", filter),
                SqlForms.filter((max ? "bool_and(signbit(" : "bool_or(signbit(") + v + "))", filter)),
                (values, offset) -> {
                    DoubleAcc acc = new DoubleAcc();
                    acc.n = SqlForms.wrapped(values[offset]);
                    acc.value = SqlForms.real(values[offset + 1]);
                    if (acc.value == 0.0 && acc.n > 0) {
                        acc.value = Boolean.TRUE.equals(values[offset + 2]) ? -0.0 : 0.0;
                    }
                    return acc;
                });
    }
}
