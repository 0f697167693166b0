package io.tandem.core.expr;

import io.tandem.core.Row;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fast path and the CEL interpreter give the same answer on random well-typed expressions and random rows,
 * including nulls, NaN, -0.0, infinities, extreme longs and event times before 1970.
 */
class CompiledAgreesWithInterpreterTest {

    private static final String[] INTS = {"0", "1", "-1", "7", "100", "9223372036854775807", "-9223372036854775807"};
    private static final String[] DOUBLES = {"0.0", "1.5", "-2.5", "100.0", "1e300", "-0.0"};
    private static final String[] STRINGS = {"''", "'A'", "'AB'", "'b'", "'é'"};
    private static final String[] COMPARISONS = {"==", "!=", "<", "<=", ">", ">="};
    private static final String[] ORDERS = {"<", "<=", ">", ">="};

    @Property(tries = 300)
    void compiledEqualsInterpreted(@ForAll("expressions") String cel, @ForAll("rowLists") List<Row> rows) {
        RowPredicate compiled = Expressions.compiled(cel, Events.STREAM);
        RowPredicate interpreted = Expressions.interpreted(cel, Events.STREAM);
        assertThat(compiled).as("compiled " + cel).isNotNull();
        for (Row row : rows) {
            assertThat(compiled.test(row)).as(cel + " on " + describe(row)).isEqualTo(interpreted.test(row));
        }
    }

    @Provide
    Arbitrary<String> expressions() {
        return Arbitraries.longs().map(seed -> bool(new Random(seed), 3));
    }

    @Provide
    Arbitrary<List<Row>> rowLists() {
        Arbitrary<String> s = Arbitraries.of("", "A", "AB", "ABC", "b", "é", "Ab").injectNull(0.15);
        Arbitrary<Double> p = Arbitraries.oneOf(
                Arbitraries.of(0.0, -0.0, 1.5, -2.5, 100.0, Double.NaN, Double.POSITIVE_INFINITY, 1e300, 9.3e18),
                Arbitraries.doubles().between(-1e4, 1e4)).injectNull(0.15);
        Arbitrary<Long> q = Arbitraries.oneOf(
                Arbitraries.of(0L, 1L, -1L, 7L, 100L, Long.MAX_VALUE, Long.MIN_VALUE, 9007199254740993L),
                Arbitraries.longs().between(-1000, 1000)).injectNull(0.15);
        Arbitrary<Long> ts = Arbitraries.longs().between(-100_000_000_000L, 2_000_000_000_000L).injectNull(0.15);
        Arbitrary<Boolean> b = Arbitraries.of(true, false).injectNull(0.15);
        Arbitrary<Long> time = Arbitraries.longs().between(-100_000_000_000L, 2_000_000_000_000L);
        return Combinators.combine(time, s, p, q, ts, b).as(Events::row).list().ofMinSize(1).ofMaxSize(25);
    }

    private static String bool(Random r, int depth) {
        int choice = r.nextInt(depth <= 0 ? 9 : 15);
        return switch (choice) {
            case 0 -> "b";
            case 1 -> pick(r, "true", "false");
            case 2 -> integer(r, depth - 1) + " " + pick(r, COMPARISONS) + " " + integer(r, depth - 1);
            case 3 -> dbl(r, depth - 1) + " " + pick(r, COMPARISONS) + " " + dbl(r, depth - 1);
            case 4 -> integer(r, depth - 1) + " " + pick(r, ORDERS) + " " + dbl(r, depth - 1);
            case 5 -> dbl(r, depth - 1) + " " + pick(r, ORDERS) + " " + integer(r, depth - 1);
            case 6 -> string(r, depth - 1) + " " + pick(r, COMPARISONS) + " " + string(r, depth - 1);
            case 7 -> string(r, depth - 1) + "." + pick(r, "startsWith", "endsWith", "contains")
                    + "(" + string(r, depth - 1) + ")";
            case 8 -> pick(r, "q in [1, 7, -1]", "s in ['A', 'é']", "p in [1.5, 0.0]", "ts in []");
            case 9 -> "!(" + bool(r, depth - 1) + ")";
            case 10 -> "(" + bool(r, depth - 1) + " && " + bool(r, depth - 1) + ")";
            case 11 -> "(" + bool(r, depth - 1) + " || " + bool(r, depth - 1) + ")";
            case 12 -> "(" + bool(r, depth - 1) + " ? " + bool(r, depth - 1) + " : " + bool(r, depth - 1) + ")";
            case 13 -> "(" + bool(r, depth - 1) + ") " + pick(r, COMPARISONS) + " (" + bool(r, depth - 1) + ")";
            default -> "(" + bool(r, depth - 1) + " && " + bool(r, depth - 1) + " || " + bool(r, depth - 1) + ")";
        };
    }

    private static String integer(Random r, int depth) {
        int choice = r.nextInt(depth <= 0 ? 3 : 6);
        return switch (choice) {
            case 0 -> pick(r, "q", "ts", "time");
            case 1 -> pick(r, INTS);
            case 2 -> "size(" + string(r, 0) + ")";
            case 3 -> "(" + integer(r, depth - 1) + " " + pick(r, "+", "-", "*", "/", "%") + " "
                    + integer(r, depth - 1) + ")";
            case 4 -> "-(" + integer(r, depth - 1) + ")";
            default -> string(r, 0) + ".size()";
        };
    }

    private static String dbl(Random r, int depth) {
        int choice = r.nextInt(depth <= 0 ? 2 : 5);
        return switch (choice) {
            case 0 -> "p";
            case 1 -> pick(r, DOUBLES);
            case 2 -> "(" + dbl(r, depth - 1) + " " + pick(r, "+", "-", "*", "/") + " " + dbl(r, depth - 1) + ")";
            case 3 -> "double(" + integer(r, depth - 1) + ")";
            default -> "-(" + dbl(r, depth - 1) + ")";
        };
    }

    private static String string(Random r, int depth) {
        int choice = r.nextInt(depth <= 0 ? 2 : 3);
        return switch (choice) {
            case 0 -> "s";
            case 1 -> pick(r, STRINGS);
            default -> "(" + string(r, depth - 1) + " + " + string(r, depth - 1) + ")";
        };
    }

    private static String pick(Random r, String... options) {
        return options[r.nextInt(options.length)];
    }

    private static String describe(Row row) {
        return "Row{time=" + row.eventTime() + ", s=" + (row.isNull(0) ? null : "'" + row.getString(0) + "'")
                + ", p=" + (row.isNull(1) ? null : row.getDouble(1)) + ", q=" + (row.isNull(2) ? null : row.getLong(2))
                + ", ts=" + (row.isNull(3) ? null : row.getLong(3))
                + ", b=" + (row.isNull(4) ? null : row.getBoolean(4))
                + "}";
    }
}
