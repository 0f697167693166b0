package io.tandem.core.expr;

import io.tandem.core.Row;

/** A compiled condition on one event. */
@FunctionalInterface
public interface RowPredicate {

    RowPredicate ALWAYS = row -> true;

    boolean test(Row row);
}
