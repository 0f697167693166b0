package io.tandem.core.expr;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import io.tandem.core.DerivedField;
import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.Row;
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
 *
 * <p>A stream's derived fields ({@link DerivedField}) are variables of their type in conditions. Their own
 * expressions read the declared fields and the time field only, and must stay inside the subset, so that the hot
 * path computes them in Java and the batch in SQL with the same value on every row ({@link #derivedType}).
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

    /**
     * Checks a derived field's expression over the declared fields of {@code stream} (and its time field) and
     * returns its type.
     *
     * @throws IllegalArgumentException naming the problem when the expression does not parse, names an unknown
     *                                  field (a derived one included), mixes types ({@code price * qty} of a double
     *                                  and a long), has a result that is not an int, double, string or bool, or is
     *                                  outside the subset that compiles to both Java and SQL
     */
    public static FieldType derivedType(String expression, StreamDef stream) {
        CelAbstractSyntaxTree ast = CelEnv.checkExpression(expression, variables(stream, false));
        DerivedField field = new DerivedField("derived", expression, CelEnv.fieldType(ast));
        boolean inSubset = RowCompiler.reader(field, ast, stream) != null
                && SqlTranslator.term(ast, SqlColumns.lake(stream)) != null;
        if (!inSubset) {
            throw new IllegalArgumentException("invalid expression \"" + expression + "\": a derived field may use "
                    + "only literals, fields, + - * / % (and unary -), == != < <= > >=, && || ! ?:, double(), "
                    + "size(), string +, startsWith, endsWith, contains and 'in' over a list of literals; string "
                    + "ordering and other functions are not computed the same way in Java and SQL");
        }
        return field.type();
    }

    /**
     * A reader of {@code name} in events of {@code stream}: a declared field, the time field (the event time) or a
     * derived field.
     *
     * @throws IllegalArgumentException when the stream has nothing of that name
     */
    public static FieldReader reader(String name, StreamDef stream) {
        int index = stream.indexOf(name);
        if (index >= 0) {
            return new DeclaredField(name, stream.field(index).type(), index);
        }
        DerivedField derived = stream.derived(name);
        if (derived != null) {
            return RowCompiler.reader(derived, checkDerived(derived, stream), stream);
        }
        if (name.equals(stream.timeField())) {
            return new EventTime(name);
        }
        throw new IllegalArgumentException("unknown field '" + name + "' in stream '" + stream.name() + "' (fields: "
                + stream.fieldNames() + ")");
    }

    /** The SQL value of a derived field over {@code columns}, as {@link SqlColumns#value} gives a field's. */
    static String derivedSql(DerivedField field, SqlColumns columns) {
        String sql = SqlTranslator.term(checkDerived(field, columns.stream()), columns);
        if (sql == null) {
            throw new IllegalStateException("derived field '" + field.name() + "' has no SQL form: " + field);
        }
        return sql;
    }

    /** A derived field's expression, checked over the declared fields. */
    static CelAbstractSyntaxTree checkDerived(DerivedField field, StreamDef stream) {
        return CelEnv.checkExpression(field.expression(), variables(stream, false));
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
        return variables(stream, true);
    }

    private static Map<String, CelType> variables(StreamDef stream, boolean derived) {
        Map<String, CelType> vars = new LinkedHashMap<>();
        for (FieldDef f : stream.fields()) {
            vars.put(f.name(), CelEnv.celType(f.type()));
        }
        if (derived) {
            for (DerivedField d : stream.derived()) {
                vars.put(d.name(), CelEnv.celType(d.type()));
            }
        }
        if (stream.timeField() != null) {
            vars.putIfAbsent(stream.timeField(), SimpleType.INT);
        }
        return vars;
    }

    /** A declared field, by index. */
    private record DeclaredField(String name, FieldType type, int index) implements FieldReader {
        @Override
        public boolean isNull(Row row) {
            return row.isNull(index);
        }

        @Override
        public long getLong(Row row) {
            return row.getLong(index);
        }

        @Override
        public double getDouble(Row row) {
            return row.getDouble(index);
        }

        @Override
        public double getNumber(Row row) {
            return row.getNumber(index);
        }

        @Override
        public boolean getBoolean(Row row) {
            return row.getBoolean(index);
        }

        @Override
        public String getString(Row row) {
            return row.getString(index);
        }
    }

    /** The time field when the stream does not declare it: the event time, a timestamp that is never null. */
    private record EventTime(String name) implements FieldReader {
        @Override
        public FieldType type() {
            return FieldType.TIMESTAMP;
        }

        @Override
        public boolean isNull(Row row) {
            return false;
        }

        @Override
        public long getLong(Row row) {
            return row.eventTime();
        }

        @Override
        public double getDouble(Row row) {
            throw new IllegalStateException("the event time is a timestamp");
        }

        @Override
        public double getNumber(Row row) {
            return row.eventTime();
        }

        @Override
        public boolean getBoolean(Row row) {
            throw new IllegalStateException("the event time is a timestamp");
        }

        @Override
        public String getString(Row row) {
            throw new IllegalStateException("the event time is a timestamp");
        }
    }
}
