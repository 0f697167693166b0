package io.tandem.core.expr;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.tandem.core.AlertDef;
import io.tandem.core.FieldType;
import io.tandem.core.ViewDef;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A view's computed results ({@code results: {vwap: "vwap_num / volume"}}): CEL expressions over the measures of one
 * merged row, evaluated after the merge, so that the hot path, the batch and their merge give the same result
 * from the same measures.
 *
 * <p>Measures have the types alert conditions give them ({@link AlertDef#measureTypes}): {@code count} and
 * {@code distinct} are CEL {@code int}, every other measure a {@code double} (an exact sum beyond the long range
 * too), so {@code vwap_num / volume} divides a double sum by a sum of longs, as Druid's arithmetic
 * post-aggregators do. A result reads measures only, not other results. It is null when a measure it reads is null
 * or its evaluation fails (integer overflow, division of ints by zero); a double division by zero gives an
 * infinity or NaN, which query rows write as null. Instances are immutable and thread-safe.
 */
public final class ViewResults {

    /** No results: rows are the measures alone. */
    public static final ViewResults NONE = new ViewResults(List.of(), List.of(), List.of(), Map.of());

    private final List<String> names;
    private final List<CelRuntime.Program> programs;
    private final List<Set<String>> reads;
    /** The measures in the order of a row's values, with the type results read them as. */
    private final Map<String, FieldType> measures;

    private ViewResults(List<String> names, List<CelRuntime.Program> programs, List<Set<String>> reads,
                        Map<String, FieldType> measures) {
        this.names = names;
        this.programs = programs;
        this.reads = reads;
        this.measures = measures;
    }

    /**
     * The compiled results of {@code view}.
     *
     * @throws IllegalArgumentException naming the result and the problem, as {@link #type} does
     */
    public static ViewResults of(ViewDef view) {
        if (view.results().isEmpty()) {
            return NONE;
        }
        Map<String, FieldType> types = AlertDef.measureTypes(view);
        List<String> names = new ArrayList<>();
        List<CelRuntime.Program> programs = new ArrayList<>();
        List<Set<String>> reads = new ArrayList<>();
        view.results().forEach((name, expression) -> {
            CelAbstractSyntaxTree ast;
            try {
                ast = check(expression, types);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("result '" + name + "': " + e.getMessage(), e);
            }
            names.add(name);
            programs.add(CelEnv.program(expression, ast));
            Set<String> read = new TreeSet<>();
            collect(ast.getExpr(), types, read);
            reads.add(Set.copyOf(read));
        });
        return new ViewResults(List.copyOf(names), List.copyOf(programs), List.copyOf(reads), types);
    }

    /**
     * The type of a result's expression over the measures of {@code view}: CEL int is long, double is double,
     * string and bool are string and boolean.
     *
     * @throws IllegalArgumentException {@code invalid expression "EXPR": MESSAGE} when it does not parse, names
     *                                  something that is not a measure of the view, mixes types, or has a result
     *                                  that is not an int, double, string or bool
     */
    public static FieldType type(String expression, ViewDef view) {
        return CelEnv.fieldType(check(expression, AlertDef.measureTypes(view)));
    }

    /**
     * The variables a view's row has in an alert condition: its measures, typed as {@link AlertDef#measureTypes}
     * types them, then its results, typed by their expressions (a result that does not compile is left out).
     */
    public static Map<String, FieldType> rowTypes(ViewDef view) {
        Map<String, FieldType> types = new LinkedHashMap<>(AlertDef.measureTypes(view));
        view.results().forEach((name, expression) -> {
            try {
                types.put(name, type(expression, view));
            } catch (IllegalArgumentException invalid) {
                // reported where the view's results are checked
            }
        });
        return types;
    }

    /** The result names, in declaration order. */
    public List<String> names() {
        return names;
    }

    /** The measures result {@code i} reads. */
    public Set<String> reads(int i) {
        return reads.get(i);
    }

    /**
     * The row's values: the measure values (in the view's measure order) followed by each result's value.
     * Returns {@code measureValues} itself when there are no results.
     */
    public Object[] append(Object[] measureValues) {
        if (names.isEmpty()) {
            return measureValues;
        }
        Object[] out = new Object[measureValues.length + names.size()];
        System.arraycopy(measureValues, 0, out, 0, measureValues.length);
        Map<String, Object> variables = new HashMap<>();
        int m = 0;
        for (Map.Entry<String, FieldType> measure : measures.entrySet()) {
            if (measureValues[m] instanceof Number n) {
                variables.put(measure.getKey(), measure.getValue() == FieldType.LONG ? (Object) n.longValue()
                        : (Object) n.doubleValue());
            }
            m++;
        }
        for (int i = 0; i < names.size(); i++) {
            out[measureValues.length + i] = evaluate(programs.get(i), variables);
        }
        return out;
    }

    private static Object evaluate(CelRuntime.Program program, Map<String, Object> variables) {
        Object value;
        try {
            value = program.eval(name -> Optional.ofNullable(variables.get(name)));
        } catch (CelEvaluationException e) {
            return null;
        }
        return value instanceof Long || value instanceof Double || value instanceof Boolean
                || value instanceof String ? value : null;
    }

    private static CelAbstractSyntaxTree check(String expression, Map<String, FieldType> measures) {
        Map<String, CelType> variables = new LinkedHashMap<>();
        measures.forEach((name, type) -> variables.put(name, CelEnv.celType(type)));
        return CelEnv.checkExpression(expression, variables);
    }

    private static void collect(CelExpr e, Map<String, FieldType> measures, Set<String> out) {
        switch (e.getKind()) {
            case IDENT -> {
                if (measures.containsKey(e.ident().name())) {
                    out.add(e.ident().name());
                }
            }
            case SELECT -> collect(e.select().operand(), measures, out);
            case CALL -> {
                e.call().target().ifPresent(t -> collect(t, measures, out));
                e.call().args().forEach(a -> collect(a, measures, out));
            }
            case LIST -> e.list().elements().forEach(a -> collect(a, measures, out));
            case COMPREHENSION -> {
                collect(e.comprehension().iterRange(), measures, out);
                collect(e.comprehension().accuInit(), measures, out);
                collect(e.comprehension().loopCondition(), measures, out);
                collect(e.comprehension().loopStep(), measures, out);
                collect(e.comprehension().result(), measures, out);
            }
            default -> {
            }
        }
    }
}
