package io.tandem.core.measure;

import io.tandem.core.expr.SqlColumns;

/** A measure that SQL can compute exactly. */
interface SqlExpressible<A> {

    /**
     * @param filter a SQL condition restricting the rows the measure adds, or null
     * @return the SQL form, or null when it cannot be written in SQL
     */
    SqlForm<A> sqlForm(SqlColumns columns, String filter);
}
