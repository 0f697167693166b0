package io.tandem.core.measure;

import io.tandem.core.Measure;
import io.tandem.core.ResultType;
import io.tandem.core.Row;
import io.tandem.core.expr.SqlColumns;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/** {@code count}: the number of events, or with a field the number of events where it is not null. */
final class CountMeasure implements Measure<LongAcc>, SqlExpressible<LongAcc> {

    private final Input input;

    /** @param input the field whose non-null values are counted, or null to count events */
    CountMeasure(Input input) {
        this.input = input;
    }

    @Override
    public LongAcc create() {
        return new LongAcc();
    }

    @Override
    public void add(LongAcc acc, Row row) {
        if (input == null || !input.isNull(row)) {
            acc.n++;
        }
    }

    @Override
    public LongAcc merge(LongAcc left, LongAcc right) {
        left.n += right.n;
        return left;
    }

    @Override
    public ResultType resultType() {
        return ResultType.LONG;
    }

    @Override
    public Object result(LongAcc acc) {
        return acc.n;
    }

    @Override
    public void write(LongAcc acc, DataOutput out) throws IOException {
        acc.write(out);
    }

    @Override
    public LongAcc read(DataInput in) throws IOException {
        return LongAcc.read(in);
    }

    /** {@code count(*)} or {@code count(f)}. */
    @Override
    public SqlForm<LongAcc> sqlForm(SqlColumns columns, String filter) {
        String count = input == null ? "count(*)" : "count(" + input.sql(columns) + ")";
        return SqlForms.of(List.of(SqlForms.filter(count, filter)), (values, offset) -> {
            LongAcc acc = new LongAcc();
            acc.n = SqlForms.wrapped(values[offset]);
            return acc;
        });
    }
}
