package io.tandem.core.expr;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelVariableResolver;
import io.tandem.core.FieldType;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.function.ToDoubleFunction;
import java.util.stream.DoubleStream;
import java.util.stream.Collectors;

/**
 * The CEL environment shared by row predicates and conditions: one set of options for checking and running, and
 * the mapping of Tandem field types to CEL types.
 *
 * <p>Heterogeneous numeric comparisons are on, so {@code price > 100} checks although {@code price} is a double;
 * arithmetic and {@code ==} still need operands of one type, as in standard CEL. The standard macros
 * ({@code has}, {@code all}, {@code exists}, {@code exists_one}, {@code map}, {@code filter}) are on.
 *
 * <p>Conditions over buckets may also call the list functions {@link #LIST_FUNCTIONS}: {@code avg}, {@code sum},
 * {@code min} and {@code max} of a list of numbers, each a {@code double}. {@code sum([])} is 0.0; the others of an
 * empty list are an evaluation error, so the condition does not hold.
 */
final class CelEnv {

    static final CelOptions OPTIONS = CelOptions.current().enableHeterogeneousNumericComparisons(true).build();

    /** {@code avg}, {@code sum}, {@code min} and {@code max} of a list of numbers. */
    static final List<CelFunctionDecl> LIST_FUNCTIONS = List.of(listFunction("avg"), listFunction("sum"),
            listFunction("min"), listFunction("max"));

    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS)
            .addFunctionBindings(
                    listBinding("avg", s -> s.average().orElseThrow()),
                    listBinding("sum", s -> s.sum()),
                    listBinding("min", s -> s.min().orElseThrow()),
                    listBinding("max", s -> s.max().orElseThrow()))
            .build();
    private static final String NO_CONTAINER = " (in container '')";
    private static final Pattern MIXED = Pattern.compile(
            "found no matching overload for '_([-+*/%])_' applied to '\\((int|double|uint), (int|double|uint)\\)'.*");

    private CelEnv() {
    }

    /** string, int (long and timestamp as epoch ms), double or bool. */
    static CelType celType(FieldType type) {
        return switch (type) {
            case STRING -> SimpleType.STRING;
            case LONG, TIMESTAMP -> SimpleType.INT;
            case DOUBLE -> SimpleType.DOUBLE;
            case BOOLEAN -> SimpleType.BOOL;
        };
    }

    /**
     * Parses and checks a boolean expression over the given variables.
     *
     * @throws IllegalArgumentException {@code invalid condition "EXPR": MESSAGE} when it does not parse, does not
     *                                  check or is not boolean
     */
    static CelAbstractSyntaxTree check(String expression, Map<String, CelType> variables) {
        return check(expression, variables, List.of());
    }

    /** {@link #check(String, Map)} with more functions declared. */
    static CelAbstractSyntaxTree check(String expression, Map<String, CelType> variables,
                                       List<CelFunctionDecl> functions) {
        CelAbstractSyntaxTree ast = checkValue(expression, variables, functions, "condition");
        if (ast.getResultType().kind() != CelKind.BOOL) {
            throw invalid("condition", expression, "expected a bool result, got " + ast.getResultType().name());
        }
        return ast;
    }

    /**
     * Parses and checks an expression of a bool, int, double or string result (a derived field, a view's result).
     *
     * @throws IllegalArgumentException {@code invalid expression "EXPR": MESSAGE} as {@link #check} does, or when the
     *                                  result is another type (a list, a map, bytes)
     */
    static CelAbstractSyntaxTree checkExpression(String expression, Map<String, CelType> variables) {
        CelAbstractSyntaxTree ast = checkValue(expression, variables, List.of(), "expression");
        CelKind kind = ast.getResultType().kind();
        if (kind != CelKind.BOOL && kind != CelKind.INT && kind != CelKind.DOUBLE && kind != CelKind.STRING) {
            throw invalid("expression", expression, "expected an int, double, string or bool result, got "
                    + ast.getResultType().name());
        }
        return ast;
    }

    /** The field type of a checked expression's result: int is long, double, string, bool is boolean. */
    static FieldType fieldType(CelAbstractSyntaxTree ast) {
        return switch (ast.getResultType().kind()) {
            case INT -> FieldType.LONG;
            case DOUBLE -> FieldType.DOUBLE;
            case STRING -> FieldType.STRING;
            default -> FieldType.BOOLEAN;
        };
    }

    private static CelAbstractSyntaxTree checkValue(String expression, Map<String, CelType> variables,
                                                    List<CelFunctionDecl> functions, String what) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("invalid " + what + " \"" + expression + "\": empty");
        }
        CelCompilerBuilder builder = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addFunctionDeclarations(functions);
        variables.forEach(builder::addVar);
        CelValidationResult result = builder.build().compile(expression);
        if (result.hasError()) {
            String issues = result.getErrors().stream()
                    .map(CelIssue::getMessage)
                    .map(m -> mixedTypes(m.replace(NO_CONTAINER, "")))
                    .collect(Collectors.joining("; "));
            throw invalid(what, expression, issues);
        }
        try {
            return result.getAst();
        } catch (CelValidationException e) {
            throw invalid(what, expression, e.getMessage());
        }
    }

    static CelRuntime.Program program(String expression, CelAbstractSyntaxTree ast) {
        try {
            return RUNTIME.createProgram(ast);
        } catch (CelEvaluationException e) {
            throw invalid("condition", expression, e.getMessage());
        }
    }

    /**
     * True only when the program evaluates to true. An unbound variable makes the result unknown and an evaluation
     * error (division by zero, overflow) makes it an error: both count as false.
     */
    static boolean isTrue(CelRuntime.Program program, CelVariableResolver variables) {
        try {
            return Boolean.TRUE.equals(program.eval(variables));
        } catch (CelEvaluationException e) {
            return false;
        }
    }

    private static CelFunctionDecl listFunction(String name) {
        return CelFunctionDecl.newFunctionDeclaration(name,
                CelOverloadDecl.newGlobalOverload(name + "_list", SimpleType.DOUBLE, ListType.create(SimpleType.DYN)));
    }

    /** Reads every element as a double; a non-number, or an empty list where undefined, is an evaluation error. */
    private static CelFunctionBinding listBinding(String name, ToDoubleFunction<DoubleStream> reduce) {
        return CelFunctionBinding.from(name + "_list", List.class, list -> {
            double[] values = new double[list.size()];
            for (int i = 0; i < values.length; i++) {
                if (!(list.get(i) instanceof Number n)) {
                    throw new CelEvaluationException(name + "(): expected numbers, got " + list.get(i));
                }
                values[i] = n.doubleValue();
            }
            try {
                return reduce.applyAsDouble(Arrays.stream(values));
            } catch (NoSuchElementException empty) {
                throw new CelEvaluationException(name + "() of an empty list");
            }
        });
    }

    /**
     * CEL's {@code found no matching overload for '_*_' applied to '(double, int)' (candidates: ...)} for an
     * arithmetic operator said the way a user fixes it; any other message as it is.
     */
    private static String mixedTypes(String message) {
        Matcher m = MIXED.matcher(message);
        if (!m.matches()) {
            return message;
        }
        return "'" + m.group(1) + "' of " + article(m.group(2)) + " and " + article(m.group(3))
                + ": convert one side with double(...) or int(...)";
    }

    private static String article(String type) {
        return (type.startsWith("int") ? "an " : "a ") + type;
    }

    private static IllegalArgumentException invalid(String what, String expression, String message) {
        return new IllegalArgumentException("invalid " + what + " \"" + expression + "\": " + message);
    }
}
