package io.tandem.core.expr;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.Operator;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelKind;
import io.tandem.core.DerivedField;
import io.tandem.core.FieldType;
import io.tandem.core.Row;
import io.tandem.core.StreamDef;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The fast path: compiles the common subset of a checked CEL expression into plain Java lambdas, so that a
 * per-event filter costs nanoseconds instead of an interpreter run.
 *
 * <p>The subset: bool, int, double and string literals and fields; {@code == != < <= > >=} (int against double
 * as CEL's heterogeneous comparison does it); {@code && || ! ?:}; {@code + - * / %} and unary minus on ints (with
 * CEL's overflow and division-by-zero errors), {@code + - * /} on doubles, {@code double(int)}; string {@code +},
 * {@code startsWith}, {@code endsWith}, {@code contains}, {@code size}; and {@code x in [literals]}. Anything else
 * returns null and the caller falls back to the interpreter.
 *
 * <p>Conditions are three-valued like CEL's: a comparison that reads a null field, or whose arithmetic fails, is
 * {@link #UNKNOWN}; {@code &&} and {@code ||} absorb it the way CEL absorbs unknowns and errors
 * ({@code UNKNOWN || true} is true, {@code UNKNOWN && false} is false, {@code !UNKNOWN} is unknown), and the
 * predicate holds only when the whole condition is {@link #TRUE}. So the fast path and the interpreter agree on
 * every row.
 *
 * <p>A derived field ({@link DerivedField}) that an expression names is compiled in place, as if its expression
 * were written there: it reads the declared fields its expression reads, and its arithmetic errors are the
 * expression's. {@link #reader} compiles a derived field on its own.
 */
final class RowCompiler {

    static final int FALSE = 0;
    static final int TRUE = 1;
    static final int UNKNOWN = 2;

    private static final int EVENT_TIME = -1;
    private static final int UNRESOLVED = -2;
    private static final int DERIVED = -3;
    private static final double LONG_RANGE = 9.223372036854775807E18;
    private static final Map<String, Operator> OPERATORS = new HashMap<>();

    static {
        for (Operator op : Operator.values()) {
            OPERATORS.putIfAbsent(op.getFunction(), op);
        }
    }

    @FunctionalInterface
    interface Cond {
        /** {@link #TRUE}, {@link #FALSE} or {@link #UNKNOWN}. */
        int eval(Row row);
    }

    /** A boolean test over terms whose fields are known to be non-null; may throw ArithmeticException. */
    @FunctionalInterface
    private interface Test {
        boolean test(Row row);
    }

    @FunctionalInterface
    private interface LongTerm {
        long eval(Row row);
    }

    @FunctionalInterface
    private interface DoubleTerm {
        double eval(Row row);
    }

    @FunctionalInterface
    private interface StringTerm {
        String eval(Row row);
    }

    private final CelAbstractSyntaxTree ast;
    private final StreamDef stream;
    /** The compilers of the derived fields the expression names, by name, made when first named. */
    private final Map<String, RowCompiler> derived = new HashMap<>();

    private RowCompiler(CelAbstractSyntaxTree ast, StreamDef stream) {
        this.ast = ast;
        this.stream = stream;
    }

    /** The compiled predicate, or null when the expression uses something outside the subset. */
    static RowPredicate compile(CelAbstractSyntaxTree ast, StreamDef stream) {
        Cond cond = new RowCompiler(ast, stream).cond(ast.getExpr());
        return cond == null ? null : row -> cond.eval(row) == TRUE;
    }

    /**
     * A reader of a derived field whose checked expression is {@code ast}, or null when the expression is outside
     * the subset. A numeric or string value is null when a field it reads is null or its arithmetic fails, as SQL's
     * NULL propagates; a boolean one is null when the condition is {@link #UNKNOWN}.
     */
    static FieldReader reader(DerivedField field, CelAbstractSyntaxTree ast, StreamDef stream) {
        RowCompiler c = new RowCompiler(ast, stream);
        CelExpr root = ast.getExpr();
        DerivedReader reader = switch (field.type()) {
            case BOOLEAN -> new DerivedReader(field, null, null, null, c.cond(root), null);
            case LONG, TIMESTAMP -> new DerivedReader(field, c.longTerm(root), null, null, null, c.fieldsOf(root));
            case DOUBLE -> new DerivedReader(field, null, c.doubleTerm(root), null, null, c.fieldsOf(root));
            case STRING -> new DerivedReader(field, null, null, c.stringTerm(root), null, c.fieldsOf(root));
        };
        return reader.longs == null && reader.doubles == null && reader.strings == null && reader.cond == null
                ? null : reader;
    }

    /**
     * A derived field's reader over the one compiled term of its type (the others null). A boolean is null where
     * its condition is {@link #UNKNOWN}; any other value where a field it reads is null or its evaluation throws an
     * arithmetic error.
     */
    private record DerivedReader(DerivedField field, LongTerm longs, DoubleTerm doubles, StringTerm strings,
                                 Cond cond, int[] fields) implements FieldReader {

        @Override
        public String name() {
            return field.name();
        }

        @Override
        public FieldType type() {
            return field.type();
        }

        @Override
        public boolean isNull(Row row) {
            if (cond != null) {
                return cond.eval(row) == UNKNOWN;
            }
            for (int f : fields) {
                if (row.isNull(f)) {
                    return true;
                }
            }
            try {
                if (longs != null) {
                    longs.eval(row);
                } else if (doubles != null) {
                    doubles.eval(row);
                } else {
                    strings.eval(row);
                }
                return false;
            } catch (ArithmeticException overflowOrDivisionByZero) {
                return true;
            }
        }

        @Override
        public long getLong(Row row) {
            return longs.eval(row);
        }

        @Override
        public double getDouble(Row row) {
            return doubles.eval(row);
        }

        @Override
        public double getNumber(Row row) {
            return longs != null ? longs.eval(row) : doubles.eval(row);
        }

        @Override
        public boolean getBoolean(Row row) {
            return cond.eval(row) == TRUE;
        }

        @Override
        public String getString(Row row) {
            return strings.eval(row);
        }
    }

    /** The compiler of a derived field this expression names, over its own checked expression. */
    private RowCompiler derived(CelExpr ident) {
        return derived.computeIfAbsent(ident.ident().name(), name ->
                new RowCompiler(Expressions.checkDerived(stream.derived(name), stream), stream));
    }

    private Cond derivedCond(CelExpr ident) {
        RowCompiler c = derived(ident);
        return c.cond(c.ast.getExpr());
    }

    /** CEL's int-against-double order: exact outside the long range, else the long converted to double. */
    static int compareIntDouble(long l, double d) {
        if (d < -LONG_RANGE) {
            return 1;
        }
        if (d > LONG_RANGE) {
            return -1;
        }
        return Double.compare(l, d);
    }

    private Cond cond(CelExpr e) {
        return switch (e.getKind()) {
            case CONSTANT -> {
                if (e.constant().getKind() != CelConstant.Kind.BOOLEAN_VALUE) {
                    yield null;
                }
                int v = e.constant().booleanValue() ? TRUE : FALSE;
                yield row -> v;
            }
            case IDENT -> {
                int f = field(e);
                if (kind(e) != CelKind.BOOL) {
                    yield null;
                }
                if (f == DERIVED) {
                    yield derivedCond(e);
                }
                yield f < 0 ? null : row -> row.isNull(f) ? UNKNOWN : row.getBoolean(f) ? TRUE : FALSE;
            }
            case CALL -> call(e);
            default -> null;
        };
    }

    private Cond call(CelExpr e) {
        CelExpr.CelCall call = e.call();
        List<CelExpr> args = call.args();
        if (call.target().isPresent()) {
            return args.size() == 1 ? stringMethod(e, call.function(), call.target().get(), args.get(0)) : null;
        }
        Operator op = OPERATORS.get(call.function());
        if (op == null) {
            return null;
        }
        return switch (op) {
            case LOGICAL_AND -> and(cond(args.get(0)), cond(args.get(1)));
            case LOGICAL_OR -> or(cond(args.get(0)), cond(args.get(1)));
            case LOGICAL_NOT -> not(cond(args.get(0)));
            case CONDITIONAL -> conditional(cond(args.get(0)), cond(args.get(1)), cond(args.get(2)));
            case EQUALS, NOT_EQUALS, LESS, LESS_EQUALS, GREATER, GREATER_EQUALS ->
                    compare(e, op, args.get(0), args.get(1));
            case IN -> in(e, args.get(0), args.get(1));
            default -> null;
        };
    }

    private static Cond and(Cond a, Cond b) {
        if (a == null || b == null) {
            return null;
        }
        return row -> {
            int x = a.eval(row);
            if (x == FALSE) {
                return FALSE;
            }
            int y = b.eval(row);
            return y == FALSE ? FALSE : x == TRUE && y == TRUE ? TRUE : UNKNOWN;
        };
    }

    private static Cond or(Cond a, Cond b) {
        if (a == null || b == null) {
            return null;
        }
        return row -> {
            int x = a.eval(row);
            if (x == TRUE) {
                return TRUE;
            }
            int y = b.eval(row);
            return y == TRUE ? TRUE : x == FALSE && y == FALSE ? FALSE : UNKNOWN;
        };
    }

    private static Cond not(Cond a) {
        return a == null ? null : row -> {
            int x = a.eval(row);
            return x == UNKNOWN ? UNKNOWN : TRUE - x;
        };
    }

    private static Cond conditional(Cond c, Cond a, Cond b) {
        if (c == null || a == null || b == null) {
            return null;
        }
        return row -> {
            int x = c.eval(row);
            return x == TRUE ? a.eval(row) : x == FALSE ? b.eval(row) : UNKNOWN;
        };
    }

    private Cond compare(CelExpr e, Operator op, CelExpr left, CelExpr right) {
        CelKind kl = kind(left);
        CelKind kr = kind(right);
        if (kl == CelKind.BOOL && kr == CelKind.BOOL) {
            return compareBools(op, cond(left), cond(right));
        }
        Test test = null;
        if (kl == CelKind.INT && kr == CelKind.INT) {
            test = compareLongs(op, longTerm(left), longTerm(right));
        } else if (kl == CelKind.DOUBLE && kr == CelKind.DOUBLE) {
            test = compareDoubles(op, doubleTerm(left), doubleTerm(right));
        } else if (kl == CelKind.INT && kr == CelKind.DOUBLE) {
            LongTerm a = longTerm(left);
            DoubleTerm b = doubleTerm(right);
            test = a == null || b == null ? null : ordered(op, row -> compareIntDouble(a.eval(row), b.eval(row)));
        } else if (kl == CelKind.DOUBLE && kr == CelKind.INT) {
            DoubleTerm a = doubleTerm(left);
            LongTerm b = longTerm(right);
            test = a == null || b == null ? null : ordered(op, row -> -compareIntDouble(b.eval(row), a.eval(row)));
        } else if (kl == CelKind.STRING && kr == CelKind.STRING) {
            test = compareStrings(op, stringTerm(left), stringTerm(right));
        }
        return guard(e, test);
    }

    private static Cond compareBools(Operator op, Cond a, Cond b) {
        if (a == null || b == null) {
            return null;
        }
        return row -> {
            int x = a.eval(row);
            int y = b.eval(row);
            if (x == UNKNOWN || y == UNKNOWN) {
                return UNKNOWN;
            }
            return holds(op, Integer.compare(x, y)) ? TRUE : FALSE;
        };
    }

    private static Test compareLongs(Operator op, LongTerm a, LongTerm b) {
        if (a == null || b == null) {
            return null;
        }
        return switch (op) {
            case EQUALS -> row -> a.eval(row) == b.eval(row);
            case NOT_EQUALS -> row -> a.eval(row) != b.eval(row);
            case LESS -> row -> a.eval(row) < b.eval(row);
            case LESS_EQUALS -> row -> a.eval(row) <= b.eval(row);
            case GREATER -> row -> a.eval(row) > b.eval(row);
            default -> row -> a.eval(row) >= b.eval(row);
        };
    }

    private static Test compareDoubles(Operator op, DoubleTerm a, DoubleTerm b) {
        if (a == null || b == null) {
            return null;
        }
        return switch (op) {
            case EQUALS -> row -> a.eval(row) == b.eval(row);
            case NOT_EQUALS -> row -> a.eval(row) != b.eval(row);
            case LESS -> row -> a.eval(row) < b.eval(row);
            case LESS_EQUALS -> row -> a.eval(row) <= b.eval(row);
            case GREATER -> row -> a.eval(row) > b.eval(row);
            default -> row -> a.eval(row) >= b.eval(row);
        };
    }

    private static Test compareStrings(Operator op, StringTerm a, StringTerm b) {
        if (a == null || b == null) {
            return null;
        }
        return switch (op) {
            case EQUALS -> row -> a.eval(row).equals(b.eval(row));
            case NOT_EQUALS -> row -> !a.eval(row).equals(b.eval(row));
            default -> row -> holds(op, a.eval(row).compareTo(b.eval(row)));
        };
    }

    /** Only the order operators: CEL's checker rejects == and != between int and double. */
    private static Test ordered(Operator op, java.util.function.ToIntFunction<Row> comparison) {
        if (op == Operator.EQUALS || op == Operator.NOT_EQUALS) {
            return null;
        }
        return row -> holds(op, comparison.applyAsInt(row));
    }

    private static boolean holds(Operator op, int c) {
        return switch (op) {
            case EQUALS -> c == 0;
            case NOT_EQUALS -> c != 0;
            case LESS -> c < 0;
            case LESS_EQUALS -> c <= 0;
            case GREATER -> c > 0;
            default -> c >= 0;
        };
    }

    private Cond stringMethod(CelExpr e, String function, CelExpr target, CelExpr arg) {
        if (kind(target) != CelKind.STRING || kind(arg) != CelKind.STRING) {
            return null;
        }
        StringTerm s = stringTerm(target);
        StringTerm p = stringTerm(arg);
        if (s == null || p == null) {
            return null;
        }
        Test test = switch (function) {
            case "startsWith" -> row -> s.eval(row).startsWith(p.eval(row));
            case "endsWith" -> row -> s.eval(row).endsWith(p.eval(row));
            case "contains" -> row -> s.eval(row).contains(p.eval(row));
            default -> null;
        };
        return guard(e, test);
    }

    private Cond in(CelExpr e, CelExpr element, CelExpr list) {
        if (list.getKind() != CelExpr.ExprKind.Kind.LIST) {
            return null;
        }
        List<CelExpr> items = list.list().elements();
        CelConstant.Kind want = switch (kind(element)) {
            case INT -> CelConstant.Kind.INT64_VALUE;
            case DOUBLE -> CelConstant.Kind.DOUBLE_VALUE;
            case STRING -> CelConstant.Kind.STRING_VALUE;
            default -> null;
        };
        if (want == null) {
            return null;
        }
        for (CelExpr item : items) {
            if (item.getKind() != CelExpr.ExprKind.Kind.CONSTANT || item.constant().getKind() != want) {
                return null;
            }
        }
        Test test = switch (want) {
            case INT64_VALUE -> {
                LongTerm t = longTerm(element);
                long[] values = items.stream().mapToLong(i -> i.constant().int64Value()).sorted().toArray();
                yield t == null ? null : row -> Arrays.binarySearch(values, t.eval(row)) >= 0;
            }
            case DOUBLE_VALUE -> {
                DoubleTerm t = doubleTerm(element);
                double[] values = items.stream().mapToDouble(i -> i.constant().doubleValue()).toArray();
                yield t == null ? null : row -> contains(values, t.eval(row));
            }
            default -> {
                StringTerm t = stringTerm(element);
                Set<String> values = new HashSet<>();
                items.forEach(i -> values.add(i.constant().stringValue()));
                yield t == null ? null : row -> values.contains(t.eval(row));
            }
        };
        return guard(e, test);
    }

    private static boolean contains(double[] values, double v) {
        for (double x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    /** Unknown when a field the test reads is null or its arithmetic fails. */
    private Cond guard(CelExpr e, Test test) {
        if (test == null) {
            return null;
        }
        int[] fields = fieldsOf(e);
        return row -> {
            for (int f : fields) {
                if (row.isNull(f)) {
                    return UNKNOWN;
                }
            }
            try {
                return test.test(row) ? TRUE : FALSE;
            } catch (ArithmeticException overflowOrDivisionByZero) {
                return UNKNOWN;
            }
        };
    }

    private LongTerm longTerm(CelExpr e) {
        if (kind(e) != CelKind.INT) {
            return null;
        }
        switch (e.getKind()) {
            case CONSTANT -> {
                if (e.constant().getKind() != CelConstant.Kind.INT64_VALUE) {
                    return null;
                }
                long v = e.constant().int64Value();
                return row -> v;
            }
            case IDENT -> {
                int f = field(e);
                if (f == DERIVED) {
                    RowCompiler c = derived(e);
                    return c.longTerm(c.ast.getExpr());
                }
                return f == EVENT_TIME ? Row::eventTime : f == UNRESOLVED ? null : row -> row.getLong(f);
            }
            case CALL -> {
                return longCall(e.call());
            }
            default -> {
                return null;
            }
        }
    }

    private LongTerm longCall(CelExpr.CelCall call) {
        List<CelExpr> args = call.args();
        if (call.function().equals("size")) {
            CelExpr s = call.target().isPresent()
                    ? (args.isEmpty() ? call.target().get() : null)
                    : (args.size() == 1 ? args.get(0) : null);
            StringTerm t = s == null ? null : stringTerm(s);
            return t == null ? null : row -> {
                String v = t.eval(row);
                return v.codePointCount(0, v.length());
            };
        }
        Operator op = OPERATORS.get(call.function());
        if (op == null || call.target().isPresent()) {
            return null;
        }
        if (op == Operator.NEGATE) {
            LongTerm a = longTerm(args.get(0));
            return a == null ? null : row -> Math.negateExact(a.eval(row));
        }
        if (args.size() != 2) {
            return null;
        }
        LongTerm a = longTerm(args.get(0));
        LongTerm b = longTerm(args.get(1));
        if (a == null || b == null) {
            return null;
        }
        return switch (op) {
            case ADD -> row -> Math.addExact(a.eval(row), b.eval(row));
            case SUBTRACT -> row -> Math.subtractExact(a.eval(row), b.eval(row));
            case MULTIPLY -> row -> Math.multiplyExact(a.eval(row), b.eval(row));
            case DIVIDE -> row -> divide(a.eval(row), b.eval(row));
            case MODULO -> row -> a.eval(row) % b.eval(row);
            default -> null;
        };
    }

    private static long divide(long a, long b) {
        if (a == Long.MIN_VALUE && b == -1) {
            throw new ArithmeticException("most negative number wraps");
        }
        return a / b;
    }

    private DoubleTerm doubleTerm(CelExpr e) {
        if (kind(e) != CelKind.DOUBLE) {
            return null;
        }
        switch (e.getKind()) {
            case CONSTANT -> {
                if (e.constant().getKind() != CelConstant.Kind.DOUBLE_VALUE) {
                    return null;
                }
                double v = e.constant().doubleValue();
                return row -> v;
            }
            case IDENT -> {
                int f = field(e);
                if (f == DERIVED) {
                    RowCompiler c = derived(e);
                    return c.doubleTerm(c.ast.getExpr());
                }
                return f < 0 ? null : row -> row.getDouble(f);
            }
            case CALL -> {
                return doubleCall(e.call());
            }
            default -> {
                return null;
            }
        }
    }

    private DoubleTerm doubleCall(CelExpr.CelCall call) {
        List<CelExpr> args = call.args();
        if (call.target().isPresent()) {
            return null;
        }
        if (call.function().equals("double") && args.size() == 1) {
            LongTerm a = longTerm(args.get(0));
            return a == null ? null : row -> (double) a.eval(row);
        }
        Operator op = OPERATORS.get(call.function());
        if (op == Operator.NEGATE) {
            DoubleTerm a = doubleTerm(args.get(0));
            return a == null ? null : row -> -a.eval(row);
        }
        if (op == null || args.size() != 2) {
            return null;
        }
        DoubleTerm a = doubleTerm(args.get(0));
        DoubleTerm b = doubleTerm(args.get(1));
        if (a == null || b == null) {
            return null;
        }
        return switch (op) {
            case ADD -> row -> a.eval(row) + b.eval(row);
            case SUBTRACT -> row -> a.eval(row) - b.eval(row);
            case MULTIPLY -> row -> a.eval(row) * b.eval(row);
            case DIVIDE -> row -> a.eval(row) / b.eval(row);
            default -> null;
        };
    }

    private StringTerm stringTerm(CelExpr e) {
        if (kind(e) != CelKind.STRING) {
            return null;
        }
        switch (e.getKind()) {
            case CONSTANT -> {
                if (e.constant().getKind() != CelConstant.Kind.STRING_VALUE) {
                    return null;
                }
                String v = e.constant().stringValue();
                return row -> v;
            }
            case IDENT -> {
                int f = field(e);
                if (f == DERIVED) {
                    RowCompiler c = derived(e);
                    return c.stringTerm(c.ast.getExpr());
                }
                return f < 0 ? null : row -> row.getString(f);
            }
            case CALL -> {
                CelExpr.CelCall call = e.call();
                if (call.target().isPresent() || OPERATORS.get(call.function()) != Operator.ADD) {
                    return null;
                }
                StringTerm a = stringTerm(call.args().get(0));
                StringTerm b = stringTerm(call.args().get(1));
                return a == null || b == null ? null : row -> a.eval(row).concat(b.eval(row));
            }
            default -> {
                return null;
            }
        }
    }

    private CelKind kind(CelExpr e) {
        return ast.getType(e.id()).map(t -> t.kind()).orElse(CelKind.ERROR);
    }

    /** The index of a declared field, {@link #EVENT_TIME}, {@link #DERIVED} or {@link #UNRESOLVED}. */
    private int field(CelExpr ident) {
        String name = ident.ident().name();
        int i = stream.indexOf(name);
        if (i >= 0) {
            return i;
        }
        if (stream.derived(name) != null) {
            return DERIVED;
        }
        return name.equals(stream.timeField()) ? EVENT_TIME : UNRESOLVED;
    }

    /**
     * The declared fields read anywhere under {@code e}, through the derived fields it names too: a null in any of
     * them makes the test unknown.
     */
    private int[] fieldsOf(CelExpr e) {
        Set<Integer> fields = new TreeSet<>();
        collect(e, fields);
        return fields.stream().mapToInt(Integer::intValue).toArray();
    }

    private void collect(CelExpr e, Set<Integer> fields) {
        switch (e.getKind()) {
            case IDENT -> {
                int f = field(e);
                if (f >= 0) {
                    fields.add(f);
                } else if (f == DERIVED) {
                    RowCompiler c = derived(e);
                    c.collect(c.ast.getExpr(), fields);
                }
            }
            case CALL -> {
                e.call().target().ifPresent(t -> collect(t, fields));
                e.call().args().forEach(a -> collect(a, fields));
            }
            case LIST -> e.list().elements().forEach(a -> collect(a, fields));
            default -> {
            }
        }
    }
}
