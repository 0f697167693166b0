package io.tandem.core.measure;

import io.tandem.core.Difference;
import io.tandem.core.Measure;
import io.tandem.core.ResultType;
import io.tandem.core.Row;
import io.tandem.core.expr.Expressions;
import io.tandem.core.expr.RowPredicate;
import io.tandem.core.expr.SqlColumns;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** A measure with a {@code where} condition: adds only the events that satisfy it. Same binary form as the inner. */
final class FilteredMeasure<A> implements Measure<A>, SqlExpressible<A> {

    private final Measure<A> inner;
    private final RowPredicate where;
    private final String condition;

    /** @param condition the CEL text of {@code where} */
    FilteredMeasure(Measure<A> inner, RowPredicate where, String condition) {
        this.inner = inner;
        this.where = where;
        this.condition = condition;
    }

    Measure<A> inner() {
        return inner;
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
    public ResultType resultType() {
        return inner.resultType();
    }

    @Override
    public Difference difference(A left, A right) {
        return inner.difference(left, right);
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

    /** The inner measure's form with the condition, translated to SQL, as a FILTER; null when either is missing. */
    @Override
    @SuppressWarnings("unchecked")
    public SqlForm<A> sqlForm(SqlColumns columns, String filter) {
        if (!(inner instanceof SqlExpressible<?> expressible)) {
            return null;
        }
        return Expressions.toSql(condition, columns)
                .map(sql -> ((SqlExpressible<A>) expressible).sqlForm(columns, SqlForms.and(filter, sql)))
                .orElse(null);
    }
}
