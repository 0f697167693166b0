package io.tandem.core.measure;

import io.tandem.core.Measure;
import io.tandem.core.ResultType;
import io.tandem.core.Row;
import io.tandem.core.expr.SqlColumns;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;

/**
 * {@code sum} of a long or timestamp field, exact: a Long while the sum fits one, a BigInteger beyond (it never
 * wraps around). The accumulator is {@link WideSum}.
 */
final class LongSum implements Measure<WideSum>, SqlExpressible<WideSum> {

    private final Input input;

    LongSum(Input input) {
        this.input = input;
    }

    @Override
    public WideSum create() {
        return new WideSum();
    }

    @Override
    public void add(WideSum acc, Row row) {
        if (!input.isNull(row)) {
            acc.add(input.getLong(row));
        }
    }

    @Override
    public WideSum merge(WideSum left, WideSum right) {
        left.merge(right);
        return left;
    }

    @Override
    public ResultType resultType() {
        return ResultType.INTEGER;
    }

    @Override
    public Object result(WideSum acc) {
        return acc.n == 0 ? null : acc.value();
    }

    @Override
    public void write(WideSum acc, DataOutput out) throws IOException {
        acc.write(out);
    }

    @Override
    public WideSum read(DataInput in) throws IOException {
        return WideSum.read(in);
    }

    /** {@code count(f)} and {@code sum(f)}: DuckDB sums BIGINT into a HUGEINT, exactly as {@link WideSum} does. */
    @Override
    public SqlForm<WideSum> sqlForm(SqlColumns columns, String filter) {
        String v = input.sql(columns);
        return SqlForms.of(List.of(SqlForms.filter("count(" + v + ")", filter),
                SqlForms.filter("sum(" + v + ")", filter)), (values, offset) -> {
                    WideSum acc = new WideSum();
                    acc.n = SqlForms.wrapped(values[offset]);
                    Object sum = values[offset + 1];
                    if (sum != null) {
                        acc.set(sum instanceof BigInteger b ? b : BigInteger.valueOf(((Number) sum).longValue()));
                    }
                    return acc;
                });
    }
}
