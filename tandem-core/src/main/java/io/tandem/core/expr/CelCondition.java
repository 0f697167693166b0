package io.tandem.core.expr;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelRuntime;
import io.tandem.core.FieldType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * A CEL boolean expression over named, typed variables, evaluated against a map of values, e.g. an alert
 * condition {@code total > 1000.0 && n >= 10} over a view's measure values.
 *
 * <p>Types map as in {@link Expressions}: long and timestamp (epoch ms) are CEL {@code int}, double is
 * {@code double}, boolean is {@code bool}, string is {@code string}. Any {@link Number} is accepted for a numeric
 * variable. A variable that is absent or null makes the expressions that read it unknown, and an evaluation error
 * (division by zero, overflow) is an error: the condition holds only when the expression is true. Instances are
 * immutable and thread-safe.
 *
 * <p>A condition {@linkplain #overBuckets over buckets} also reads {@code prev}, the previous buckets of the same
 * group, newest first: a list of maps from measure name to value ({@code prev[0].close},
 * {@code avg(prev.map(p, p.volume))}). It may call {@code avg}, {@code sum}, {@code min} and {@code max} of a list
 * of numbers, each a {@code double}; {@code sum([])} is 0.0 and the others of an empty list do not hold.
 */
public final class CelCondition {

    /** The variable holding the previous buckets in a condition {@link #overBuckets over buckets}. */
    public static final String PREV = "prev";

    private static final CelType PREV_ELEMENT = MapType.create(SimpleType.STRING, SimpleType.DYN);
    private static final String INDEX = "_[_]";

    private final String expression;
    private final Map<String, FieldType> variables;
    private final CelRuntime.Program program;
    private final OptionalInt prevDepth;
    private final Set<String> reads;

    private CelCondition(String expression, Map<String, FieldType> variables, CelRuntime.Program program,
                         OptionalInt prevDepth, Set<String> reads) {
        this.expression = expression;
        this.variables = variables;
        this.program = program;
        this.prevDepth = prevDepth;
        this.reads = reads;
    }

    /**
     * Parses and checks {@code expression}.
     *
     * @throws IllegalArgumentException {@code invalid condition "EXPR": MESSAGE} when it does not parse, names an
     *                                  undeclared variable, or is not boolean
     */
    public static CelCondition compile(String expression, Map<String, FieldType> variables) {
        Map<String, FieldType> vars = Map.copyOf(variables);
        var ast = CelEnv.check(expression, celTypes(vars));
        List<CelExpr> nodes = new ArrayList<>();
        collect(ast.getExpr(), nodes);
        return new CelCondition(expression, vars, CelEnv.program(expression, ast), OptionalInt.of(0),
                reads(nodes, vars));
    }

    /**
     * Parses and checks a condition over one bucket of a view: each measure is a variable, {@link #PREV} is the list
     * of previous buckets (maps of the same measures, newest first), and the list functions are declared. To
     * {@link #test} it, pass the measure values and, under {@link #PREV}, a {@code List} of {@code Map}s.
     *
     * @throws IllegalArgumentException as {@link #compile} does, when a previous bucket's field is not one of the
     *                                  measures ({@code prev[0].clsoe}), or when a measure is named {@code prev}
     */
    public static CelCondition overBuckets(String expression, Map<String, FieldType> measures) {
        if (measures.containsKey(PREV)) {
            throw new IllegalArgumentException("invalid condition \"" + expression + "\": a measure named '" + PREV
                    + "' hides the previous buckets; rename the measure");
        }
        Map<String, FieldType> vars = Map.copyOf(measures);
        Map<String, CelType> types = celTypes(vars);
        types.put(PREV, ListType.create(PREV_ELEMENT));
        CelAbstractSyntaxTree ast = CelEnv.check(expression, types, CelEnv.LIST_FUNCTIONS);
        List<CelExpr> nodes = new ArrayList<>();
        collect(ast.getExpr(), nodes);
        for (CelExpr e : nodes) {
            if (e.getKind() == CelExpr.ExprKind.Kind.SELECT && !vars.containsKey(e.select().field())
                    && ast.getType(e.select().operand().id()).filter(PREV_ELEMENT::equals).isPresent()) {
                throw new IllegalArgumentException("invalid condition \"" + expression + "\": a previous bucket has "
                        + "no measure '" + e.select().field() + "' (measures: "
                        + String.join(", ", measures.keySet()) + ")");
            }
        }
        return new CelCondition(expression, vars, CelEnv.program(expression, ast), prevDepth(nodes),
                reads(nodes, vars));
    }

    /**
     * How many previous buckets the condition reads when it reads {@link #PREV} only at constant indexes: the largest
     * index plus one, or 0 when it does not read {@code prev}. Empty when it reads the list as a whole
     * ({@code size(prev)}, {@code prev.map(...)}), so that the depth must be given.
     */
    public OptionalInt prevDepth() {
        return prevDepth;
    }

    /**
     * The variables the condition may read: those it names, and for a condition over buckets also each measure it
     * selects from a previous bucket ({@code prev[0].close}). A variable left out cannot change the outcome.
     */
    public Set<String> reads() {
        return reads;
    }

    /** Whether the condition holds for these values; never throws on a missing, null or mistyped value. */
    public boolean test(Map<String, ?> values) {
        return CelEnv.isTrue(program, name -> Optional.ofNullable(name.equals(PREV) && !variables.containsKey(PREV)
                ? previous(values.get(PREV))
                : convert(variables.get(name), values.get(name))));
    }

    public String expression() {
        return expression;
    }

    @Override
    public String toString() {
        return expression;
    }

    private static Map<String, CelType> celTypes(Map<String, FieldType> vars) {
        Map<String, CelType> celTypes = new LinkedHashMap<>();
        vars.forEach((name, type) -> celTypes.put(name, CelEnv.celType(type)));
        return celTypes;
    }

    /** The previous buckets with each value converted to its measure's type; null values are left out. */
    private Object previous(Object value) {
        if (!(value instanceof List<?> list)) {
            return null;
        }
        List<Map<String, Object>> out = new ArrayList<>(list.size());
        for (Object item : list) {
            Map<String, Object> bucket = new HashMap<>();
            if (item instanceof Map<?, ?> m) {
                m.forEach((k, v) -> {
                    Object converted = convert(variables.get(String.valueOf(k)), v);
                    if (converted != null) {
                        bucket.put(String.valueOf(k), converted);
                    }
                });
            }
            out.add(bucket);
        }
        return out;
    }

    private static Set<String> reads(List<CelExpr> nodes, Map<String, FieldType> vars) {
        Set<String> names = new TreeSet<>();
        for (CelExpr e : nodes) {
            if (e.getKind() == CelExpr.ExprKind.Kind.IDENT && vars.containsKey(e.ident().name())) {
                names.add(e.ident().name());
            } else if (e.getKind() == CelExpr.ExprKind.Kind.SELECT && vars.containsKey(e.select().field())) {
                names.add(e.select().field());
            }
        }
        return Set.copyOf(names);
    }

    private static OptionalInt prevDepth(List<CelExpr> nodes) {
        int reads = 0;
        int constantReads = 0;
        int depth = 0;
        for (CelExpr e : nodes) {
            if (e.getKind() == CelExpr.ExprKind.Kind.IDENT && e.ident().name().equals(PREV)) {
                reads++;
            } else if (e.getKind() == CelExpr.ExprKind.Kind.CALL && e.call().function().equals(INDEX)) {
                CelExpr list = e.call().args().get(0);
                CelExpr index = e.call().args().get(1);
                if (list.getKind() == CelExpr.ExprKind.Kind.IDENT && list.ident().name().equals(PREV)
                        && index.getKind() == CelExpr.ExprKind.Kind.CONSTANT
                        && index.constant().getKind() == CelConstant.Kind.INT64_VALUE
                        && index.constant().int64Value() >= 0 && index.constant().int64Value() < Integer.MAX_VALUE) {
                    constantReads++;
                    depth = Math.max(depth, (int) index.constant().int64Value() + 1);
                }
            }
        }
        return reads == constantReads ? OptionalInt.of(depth) : OptionalInt.empty();
    }

    /** Every node of the tree, parents before children. */
    private static void collect(CelExpr e, List<CelExpr> out) {
        out.add(e);
        switch (e.getKind()) {
            case SELECT -> collect(e.select().operand(), out);
            case CALL -> {
                e.call().target().ifPresent(t -> collect(t, out));
                e.call().args().forEach(a -> collect(a, out));
            }
            case LIST -> e.list().elements().forEach(a -> collect(a, out));
            case MAP -> e.map().entries().forEach(en -> {
                collect(en.key(), out);
                collect(en.value(), out);
            });
            case STRUCT -> e.struct().entries().forEach(en -> collect(en.value(), out));
            case COMPREHENSION -> {
                collect(e.comprehension().iterRange(), out);
                collect(e.comprehension().accuInit(), out);
                collect(e.comprehension().loopCondition(), out);
                collect(e.comprehension().loopStep(), out);
                collect(e.comprehension().result(), out);
            }
            default -> {
            }
        }
    }

    private static Object convert(FieldType type, Object value) {
        if (type == null || !(value instanceof Number n)) {
            return value;
        }
        return switch (type) {
            case LONG, TIMESTAMP -> n.longValue();
            case DOUBLE -> n.doubleValue();
            default -> value;
        };
    }
}
