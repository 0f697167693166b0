package io.tandem.core.measure;

import io.tandem.core.expr.SqlColumns;

import java.util.List;

/**
 * A measure computed by SQL: the aggregate expressions to put in a {@code GROUP BY} query over the lake, and how
 * their values in one result row become the measure's accumulator. Get one from
 * {@link Measures#sqlForm(io.tandem.core.Measure, SqlColumns)}.
 *
 * <p>The accumulator built from SQL equals the one the hot path builds by {@code add} from the same rows: exactly
 * for count, integer sum, min, max, first and last (each in the {@code where} variant too); for sums and means of
 * double fields and for variance, within floating-point rounding (SQL sums in another order, without the hot
 * path's compensation). An empty group or a {@code where} that matched nothing gives the accumulator of
 * {@code create()}.
 *
 * @param <A> the measure's accumulator type
 */
public interface SqlForm<A> {

    /** The SQL aggregate expressions, {@code FILTER} clauses included, in the order {@link #fromSql} reads them. */
    List<String> aggregates();

    /**
     * The accumulator from one result row.
     *
     * @param values the row's values as JDBC returns them ({@code getObject})
     * @param offset the index in {@code values} of the first of {@link #aggregates()}
     */
    A fromSql(Object[] values, int offset);
}
