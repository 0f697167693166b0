package io.tandem.core.expr;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import io.tandem.core.FieldDef;
import io.tandem.core.StreamDef;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Compiles CEL conditions over a stream's fields.
 *
 * <p>Each declared field is a CEL variable: {@code string} is {@code string}, {@code long} is {@code int},
 * {@code double} is {@code double}, {@code boolean} is {@code bool}, and {@code timestamp} is {@code int} epoch
 * milliseconds (compare it with an int, e.g. {@code ts >= 1767225600000}). The stream's time field, when it is
 * not also declared as a field, is an {@code int} of epoch milliseconds read from the event time. Order
 * comparisons may mix int and double ({@code price > 100}); arithmetic and {@code ==} may not, as in standard CEL.
 *
 * <p>A null field is an unbound variable: the comparisons that read it are unknown, {@code ||} and {@code &&}
 * absorb an unknown like CEL does, and the predicate holds only when the condition is true. Evaluation errors
 * (integer overflow, division by zero) count the same way and are never thrown.
 *
 * <p>The common subset (see {@link RowCompiler}) runs as compiled Java code; anything else runs in the CEL
 * interpreter, which is about an order of magnitude slower. The same subset translates to SQL ({@link #toSql}), so
 * that a batch engine can filter in the database; outside it, the batch engine evaluates the predicate in Java.
 */
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
        CelAbstractSyntaxTree ast = CelEnv.check(expression, variables(stream));
        RowPredicate compiled = RowCompiler.compile(ast, stream);
        return compiled != null ? compiled : new InterpretedPredicate(CelEnv.program(expression, ast), stream);
    }

    /**
     * The SQL condition over the lake's columns that passes exactly the rows {@link #predicate} accepts, or empty
     * when the expression is outside the subset {@link RowCompiler} compiles (or uses string ordering).
     *
     * @throws IllegalArgumentException as {@link #predicate} does for an invalid expression
     */
    public static Optional<String> toSql(String expression, StreamDef stream) {
        return toSql(expression, SqlColumns.lake(stream));
    }

    /** {@link #toSql(String, StreamDef)} over the given columns. */
    public static Optional<String> toSql(String expression, SqlColumns columns) {
        CelAbstractSyntaxTree ast = CelEnv.check(expression, variables(columns.stream()));
        return Optional.ofNullable(SqlTranslator.translate(ast, columns));
    }

    /** The fast path alone, or null when the expression is outside its subset. */
    static RowPredicate compiled(String expression, StreamDef stream) {
        return RowCompiler.compile(CelEnv.check(expression, variables(stream)), stream);
    }

    /** The interpreter alone, whatever the expression. */
    static RowPredicate interpreted(String expression, StreamDef stream) {
        CelAbstractSyntaxTree ast = CelEnv.check(expression, variables(stream));
        return new InterpretedPredicate(CelEnv.program(expression, ast), stream);
    }

    private static Map<String, CelType> variables(StreamDef stream) {
        Map<String, CelType> vars = new LinkedHashMap<>();
        for (FieldDef f : stream.fields()) {
            vars.put(f.name(), CelEnv.celType(f.type()));
        }
        if (stream.timeField() != null) {
            vars.putIfAbsent(stream.timeField(), SimpleType.INT);
        }
        return vars;
    }
}
