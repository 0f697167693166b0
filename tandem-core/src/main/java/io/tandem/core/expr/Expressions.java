package io.tandem.core.expr;

import io.tandem.core.StreamDef;

/** Compiles CEL conditions over a stream's fields. */
public final class Expressions {

    private Expressions() {
    }

    /**
     * Compiles a CEL condition over the fields of {@code stream} (and the event time field) into a predicate.
     *
     * @throws IllegalArgumentException with a message naming the problem when the expression does not parse,
     *                                  names an unknown field, or is not boolean
     */
    public static RowPredicate predicate(String expression, StreamDef stream) {
        throw new IllegalStateException("to be implemented");
    }
}
