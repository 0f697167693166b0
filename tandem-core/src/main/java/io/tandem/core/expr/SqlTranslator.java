package io.tandem.core.expr;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.Operator;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelKind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Translates the subset of CEL that {@link RowCompiler} compiles into a DuckDB SQL condition that holds on exactly
 * the same rows, or returns null.
 *
 * <p>Null semantics carry over: a field that is null makes the comparisons that read it unknown in CEL, and SQL's
 * NULL does the same; {@code AND}, {@code OR} and {@code NOT} absorb NULL as CEL absorbs unknowns; a condition that
 * is NULL does not pass a {@code WHERE} or {@code FILTER}. CEL's integer errors (overflow, division by zero) are
 * unknown too: integer arithmetic runs in {@code TRY(...)}, which turns DuckDB's error into NULL. Where DuckDB and
 * Java differ, the translation follows Java: integer division truncates ({@code //}), {@code Long.MIN_VALUE % -1} is
 * 0, an int compared with a double treats -0.0 as below 0 (as {@code Double.compare} does), and a double
 * comparison of computed terms is false on NaN (DuckDB sorts NaN above everything). String ordering ({@code <} on
 * strings) is left untranslated: Java compares UTF-16 units, DuckDB UTF-8 bytes.
 */
final class SqlTranslator {

    /** -Double.MIN_VALUE: compares with any long exactly as -0.0 does under {@code Double.compare}. */
    private static final String BELOW_ZERO = "CAST('-4.9E-324' AS DOUBLE)";
    private static final Map<String, Operator> OPERATORS = new HashMap<>();

    static {
        for (Operator op : Operator.values()) {
            OPERATORS.putIfAbsent(op.getFunction(), op);
        }
    }

    private final CelAbstractSyntaxTree ast;
    private final SqlColumns columns;

    private SqlTranslator(CelAbstractSyntaxTree ast, SqlColumns columns) {
        this.ast = ast;
        this.columns = columns;
    }

    /** The SQL condition, or null when the expression is outside the subset. */
    static String translate(CelAbstractSyntaxTree ast, SqlColumns columns) {
        return new SqlTranslator(ast, columns).cond(ast.getExpr());
    }

    /**
     * The SQL value of a bool, int, double or string expression (a derived field's), NULL where {@link RowCompiler}
     * reads a null or fails, or null when the expression is outside the subset.
     */
    static String term(CelAbstractSyntaxTree ast, SqlColumns columns) {
        SqlTranslator t = new SqlTranslator(ast, columns);
        CelExpr root = ast.getExpr();
        return switch (t.kind(root)) {
            case BOOL -> t.cond(root);
            case INT -> t.intTerm(root);
            case DOUBLE -> t.doubleTerm(root);
            case STRING -> t.stringTerm(root);
            default -> null;
        };
    }

    private String cond(CelExpr e) {
        return switch (e.getKind()) {
            case CONSTANT -> e.constant().getKind() == CelConstant.Kind.BOOLEAN_VALUE
                    ? (e.constant().booleanValue() ? "TRUE" : "FALSE") : null;
            case IDENT -> kind(e) == CelKind.BOOL && isField(e) ? columns.value(e.ident().name()) : null;
            case CALL -> call(e);
            default -> null;
        };
    }

    private String call(CelExpr e) {
        CelExpr.CelCall call = e.call();
        List<CelExpr> args = call.args();
        if (call.target().isPresent()) {
            return args.size() == 1 ? stringMethod(call.function(), call.target().get(), args.get(0)) : null;
        }
        Operator op = OPERATORS.get(call.function());
        if (op == null) {
            return null;
        }
        return switch (op) {
            case LOGICAL_AND -> binary(cond(args.get(0)), "AND", cond(args.get(1)));
            case LOGICAL_OR -> binary(cond(args.get(0)), "OR", cond(args.get(1)));
            case LOGICAL_NOT -> {
                String a = cond(args.get(0));
                yield a == null ? null : "(NOT " + a + ")";
            }
            case CONDITIONAL -> conditional(cond(args.get(0)), cond(args.get(1)), cond(args.get(2)));
            case EQUALS, NOT_EQUALS, LESS, LESS_EQUALS, GREATER, GREATER_EQUALS ->
                    compare(op, args.get(0), args.get(1));
            case IN -> in(args.get(0), args.get(1));
            default -> null;
        };
    }

    private static String binary(String a, String op, String b) {
        return a == null || b == null ? null : "(" + a + " " + op + " " + b + ")";
    }

    private static String conditional(String c, String a, String b) {
        if (c == null || a == null || b == null) {
            return null;
        }
        return "(CASE WHEN " + c + " THEN " + a + " WHEN NOT " + c + " THEN " + b + " END)";
    }

    private String compare(Operator op, CelExpr left, CelExpr right) {
        CelKind kl = kind(left);
        CelKind kr = kind(right);
        String sqlOp = switch (op) {
            case EQUALS -> "=";
            case NOT_EQUALS -> "<>";
            case LESS -> "<";
            case LESS_EQUALS -> "<=";
            case GREATER -> ">";
            default -> ">=";
        };
        boolean equality = op == Operator.EQUALS || op == Operator.NOT_EQUALS;
        if (kl == CelKind.BOOL && kr == CelKind.BOOL) {
            return binary(cond(left), sqlOp, cond(right));
        }
        if (kl == CelKind.INT && kr == CelKind.INT) {
            return binary(intTerm(left), sqlOp, intTerm(right));
        }
        if (kl == CelKind.DOUBLE && kr == CelKind.DOUBLE) {
            String a = doubleTerm(left);
            String b = doubleTerm(right);
            if (a == null || b == null) {
                return null;
            }
            if (!computed(left) && !computed(right)) {
                return binary(a, sqlOp, b);
            }
            String nan = op == Operator.NOT_EQUALS ? "TRUE" : "FALSE";
            return "(CASE WHEN isnan(" + a + ") OR isnan(" + b + ") THEN " + nan + " ELSE " + a + " " + sqlOp
                    + " " + b + " END)";
        }
        if (equality) {
            return kl == CelKind.STRING && kr == CelKind.STRING ? binary(stringTerm(left), sqlOp, stringTerm(right))
                    : null;
        }
        if (kl == CelKind.INT && kr == CelKind.DOUBLE) {
            return binary(intAsDouble(left), sqlOp, signedZero(right, left));
        }
        if (kl == CelKind.DOUBLE && kr == CelKind.INT) {
            return binary(signedZero(left, right), sqlOp, intAsDouble(right));
        }
        return null;
    }

    private String intAsDouble(CelExpr e) {
        String a = intTerm(e);
        return a == null ? null : "CAST(" + a + " AS DOUBLE)";
    }

    /**
     * A double compared with an int, with -0.0 made strictly negative, since {@code Double.compare} puts -0.0 below
     * the 0.0 a long converts to. Not needed when the int is a non-zero literal.
     */
    private String signedZero(CelExpr doubleSide, CelExpr intSide) {
        if (doubleSide.getKind() == CelExpr.ExprKind.Kind.CONSTANT) {
            if (doubleSide.constant().getKind() != CelConstant.Kind.DOUBLE_VALUE) {
                return null;
            }
            double v = doubleSide.constant().doubleValue();
            return v == 0.0 && 1 / v < 0 ? BELOW_ZERO : doubleTerm(doubleSide);
        }
        String d = doubleTerm(doubleSide);
        boolean nonZeroLiteral = intSide.getKind() == CelExpr.ExprKind.Kind.CONSTANT
                && intSide.constant().getKind() == CelConstant.Kind.INT64_VALUE
                && intSide.constant().int64Value() != 0;
        if (d == null || nonZeroLiteral) {
            return d;
        }
        return "(CASE WHEN " + d + " = 0 AND signbit(" + d + ") THEN " + BELOW_ZERO + " ELSE " + d + " END)";
    }

    private String stringMethod(String function, CelExpr target, CelExpr arg) {
        if (kind(target) != CelKind.STRING || kind(arg) != CelKind.STRING) {
            return null;
        }
        String sqlFunction = switch (function) {
            case "startsWith" -> "starts_with";
            case "endsWith" -> "ends_with";
            case "contains" -> "contains";
            default -> null;
        };
        String s = stringTerm(target);
        String p = stringTerm(arg);
        return sqlFunction == null || s == null || p == null ? null : sqlFunction + "(" + s + ", " + p + ")";
    }

    private String in(CelExpr element, CelExpr list) {
        if (list.getKind() != CelExpr.ExprKind.Kind.LIST || list.list().elements().isEmpty()) {
            return null;
        }
        CelConstant.Kind want = switch (kind(element)) {
            case INT -> CelConstant.Kind.INT64_VALUE;
            case DOUBLE -> CelConstant.Kind.DOUBLE_VALUE;
            case STRING -> CelConstant.Kind.STRING_VALUE;
            default -> null;
        };
        if (want == null) {
            return null;
        }
        List<String> items = new ArrayList<>();
        for (CelExpr item : list.list().elements()) {
            if (item.getKind() != CelExpr.ExprKind.Kind.CONSTANT || item.constant().getKind() != want) {
                return null;
            }
            items.add(constant(item.constant()));
        }
        String x = switch (want) {
            case INT64_VALUE -> intTerm(element);
            case DOUBLE_VALUE -> doubleTerm(element);
            default -> stringTerm(element);
        };
        return x == null ? null : "(" + x + " IN (" + String.join(", ", items) + "))";
    }

    private String intTerm(CelExpr e) {
        if (kind(e) != CelKind.INT) {
            return null;
        }
        return switch (e.getKind()) {
            case CONSTANT -> e.constant().getKind() == CelConstant.Kind.INT64_VALUE ? constant(e.constant()) : null;
            case IDENT -> isField(e) ? columns.value(e.ident().name()) : null;
            case CALL -> intCall(e.call());
            default -> null;
        };
    }

    private String intCall(CelExpr.CelCall call) {
        List<CelExpr> args = call.args();
        if (call.function().equals("size")) {
            CelExpr s = call.target().isPresent()
                    ? (args.isEmpty() ? call.target().get() : null)
                    : (args.size() == 1 ? args.get(0) : null);
            String t = s == null ? null : stringTerm(s);
            return t == null ? null : "CAST(length(" + t + ") AS BIGINT)";
        }
        Operator op = OPERATORS.get(call.function());
        if (op == null || call.target().isPresent()) {
            return null;
        }
        if (op == Operator.NEGATE) {
            String a = intTerm(args.get(0));
            return a == null ? null : "TRY(CAST(0 AS BIGINT) - " + a + ")";
        }
        if (args.size() != 2) {
            return null;
        }
        String a = intTerm(args.get(0));
        String b = intTerm(args.get(1));
        if (a == null || b == null) {
            return null;
        }
        return switch (op) {
            case ADD -> "TRY(" + a + " + " + b + ")";
            case SUBTRACT -> "TRY(" + a + " - " + b + ")";
            case MULTIPLY -> "TRY(" + a + " * " + b + ")";
            case DIVIDE -> "TRY(" + a + " // " + b + ")";
            case MODULO -> "(CASE WHEN " + b + " = -1 THEN " + a + " * 0 ELSE TRY(" + a + " % " + b + ") END)";
            default -> null;
        };
    }

    private String doubleTerm(CelExpr e) {
        if (kind(e) != CelKind.DOUBLE) {
            return null;
        }
        return switch (e.getKind()) {
            case CONSTANT -> e.constant().getKind() == CelConstant.Kind.DOUBLE_VALUE ? constant(e.constant()) : null;
            case IDENT -> isField(e) ? columns.value(e.ident().name()) : null;
            case CALL -> doubleCall(e.call());
            default -> null;
        };
    }

    private String doubleCall(CelExpr.CelCall call) {
        List<CelExpr> args = call.args();
        if (call.target().isPresent()) {
            return null;
        }
        if (call.function().equals("double") && args.size() == 1) {
            return intAsDouble(args.get(0));
        }
        Operator op = OPERATORS.get(call.function());
        if (op == Operator.NEGATE) {
            String a = doubleTerm(args.get(0));
            return a == null ? null : "(-" + a + ")";
        }
        if (op == null || args.size() != 2) {
            return null;
        }
        String sqlOp = switch (op) {
            case ADD -> "+";
            case SUBTRACT -> "-";
            case MULTIPLY -> "*";
            case DIVIDE -> "/";
            default -> null;
        };
        return sqlOp == null ? null : binary(doubleTerm(args.get(0)), sqlOp, doubleTerm(args.get(1)));
    }

    private String stringTerm(CelExpr e) {
        if (kind(e) != CelKind.STRING) {
            return null;
        }
        return switch (e.getKind()) {
            case CONSTANT -> e.constant().getKind() == CelConstant.Kind.STRING_VALUE ? constant(e.constant()) : null;
            case IDENT -> isField(e) ? columns.value(e.ident().name()) : null;
            case CALL -> {
                CelExpr.CelCall call = e.call();
                if (call.target().isPresent() || OPERATORS.get(call.function()) != Operator.ADD) {
                    yield null;
                }
                yield binary(stringTerm(call.args().get(0)), "||", stringTerm(call.args().get(1)));
            }
            default -> null;
        };
    }

    private static String constant(CelConstant c) {
        return switch (c.getKind()) {
            case INT64_VALUE -> "CAST(" + c.int64Value() + " AS BIGINT)";
            case DOUBLE_VALUE -> "CAST('" + c.doubleValue() + "' AS DOUBLE)";
            case STRING_VALUE -> SqlColumns.literal(c.stringValue());
            default -> throw new IllegalStateException(c.getKind().toString());
        };
    }

    /**
     * Whether a double term may be NaN although no declared field is: a computed term or a derived field, not a
     * declared field or a literal.
     */
    private boolean computed(CelExpr e) {
        return e.getKind() == CelExpr.ExprKind.Kind.CALL || e.getKind() == CelExpr.ExprKind.Kind.IDENT
                && columns.stream().derived(e.ident().name()) != null;
    }

    private CelKind kind(CelExpr e) {
        return ast.getType(e.id()).map(t -> t.kind()).orElse(CelKind.ERROR);
    }

    private boolean isField(CelExpr ident) {
        String name = ident.ident().name();
        return columns.stream().typeOf(name) != null;
    }
}
