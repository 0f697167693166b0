package io.tandem.core.expr;

import dev.cel.runtime.CelRuntime;
import io.tandem.core.FieldType;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A CEL boolean expression over named, typed variables, evaluated against a map of values, e.g. an alert
 * condition {@code total > 1000.0 && n >= 10} over a view's measure values.
 *
 * <p>Types map as in {@link Expressions}: long and timestamp (epoch ms) are CEL {@code int}, double is
 * {@code double}, boolean is {@code bool}, string is {@code string}. Any {@link Number} is accepted for a numeric
 * variable. A variable that is absent or null makes the expressions that read it unknown, and an evaluation error
 * (division by zero, overflow) is an error: the condition holds only when the expression is true. Instances are
 * immutable and thread-safe.
 */
public final class CelCondition {

    private final String expression;
    private final Map<String, FieldType> variables;
    private final CelRuntime.Program program;

    private CelCondition(String expression, Map<String, FieldType> variables, CelRuntime.Program program) {
        this.expression = expression;
        this.variables = variables;
        this.program = program;
    }

    /**
     * Parses and checks {@code expression}.
     *
     * @throws IllegalArgumentException {@code invalid condition "EXPR": MESSAGE} when it does not parse, names an
     *                                  undeclared variable, or is not boolean
     */
    public static CelCondition compile(String expression, Map<String, FieldType> variables) {
        Map<String, FieldType> vars = Map.copyOf(variables);
        Map<String, dev.cel.common.types.CelType> celTypes = new LinkedHashMap<>();
        vars.forEach((name, type) -> celTypes.put(name, CelEnv.celType(type)));
        var ast = CelEnv.check(expression, celTypes);
        return new CelCondition(expression, vars, CelEnv.program(expression, ast));
    }

    /** Whether the condition holds for these values; never throws on a missing, null or mistyped value. */
    public boolean test(Map<String, ?> values) {
        return CelEnv.isTrue(program, name -> Optional.ofNullable(convert(variables.get(name), values.get(name))));
    }

    public String expression() {
        return expression;
    }

    @Override
    public String toString() {
        return expression;
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
