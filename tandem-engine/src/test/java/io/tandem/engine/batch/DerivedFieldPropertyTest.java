package io.tandem.engine.batch;

import io.tandem.core.DerivedField;
import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;
import io.tandem.core.expr.Expressions;
import io.tandem.core.expr.SqlColumns;
import io.tandem.spi.testkit.BatchEngineContract;
import io.tandem.spi.testkit.LakeEvent;
import io.tandem.spi.testkit.LakeWriter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A derived field has the same value in Java (the hot path) and in DuckDB's SQL (the batch) on every row, for random
 * well-typed expressions of every result type over lake files of random events (nulls, -0.0, long extremes, events
 * before 1970): bit for bit for doubles (NaN, infinities and -0.0 included), null in both or in neither.
 */
class DerivedFieldPropertyTest {

    private static final String[] INTS = {"0", "1", "-1", "7", "100", "9223372036854775807", "-9223372036854775807"};
    private static final String[] DOUBLES = {"0.0", "1.5", "-2.5", "100.0", "1e300", "-0.0"};
    private static final String[] STRINGS = {"''", "'a'", "'ab'", "'b'", "'é'"};
    private static final String[] COMPARISONS = {"==", "!=", "<", "<=", ">", ">="};
    private static final String[] ORDERS = {"<", "<=", ">", ">="};

    private static Path lake;
    private static List<LakeEvent> events;
    private static List<Path> files;
    private static Connection duckdb;

    @BeforeContainer
    static void writeLake() throws Exception {
        lake = Files.createTempDirectory("derived-lake");
        events = BatchEngineContract.events(12, 500);
        files = LakeWriter.write(lake, BatchEngineContract.STREAM, events);
        duckdb = DriverManager.getConnection("jdbc:duckdb:");
    }

    @AfterContainer
    static void closeDuckDb() throws Exception {
        duckdb.close();
        try (var paths = Files.walk(lake)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 150)
    void javaAndSqlAgreeOnEveryRow(@ForAll("expressions") String expression) throws Exception {
        StreamDef declared = BatchEngineContract.STREAM.withDerived(List.of());
        FieldType type = Expressions.derivedType(expression, declared);
        StreamDef stream = declared.withDerived(List.of(new DerivedField("x", expression, type)));
        String value = SqlColumns.lake(stream).value("x");
        assertThat(DerivedValues.inDuckDb(value, duckdb, files)).as("%s as %s", expression, value)
                .isEqualTo(DerivedValues.inJava("x", stream, events));
    }

    @Provide
    Arbitrary<String> expressions() {
        return Arbitraries.longs().map(seed -> {
            Random r = new Random(seed);
            return switch (r.nextInt(4)) {
                case 0 -> integer(r, 3);
                case 1 -> dbl(r, 3);
                case 2 -> string(r, 3);
                default -> bool(r, 2);
            };
        });
    }

    private static String bool(Random r, int depth) {
        int choice = r.nextInt(depth <= 0 ? 8 : 13);
        return switch (choice) {
            case 0 -> "b";
            case 1 -> pick(r, "true", "false");
            case 2 -> integer(r, depth - 1) + " " + pick(r, COMPARISONS) + " " + integer(r, depth - 1);
            case 3 -> dbl(r, depth - 1) + " " + pick(r, COMPARISONS) + " " + dbl(r, depth - 1);
            case 4 -> integer(r, depth - 1) + " " + pick(r, ORDERS) + " " + dbl(r, depth - 1);
            case 5 -> string(r, depth - 1) + " " + pick(r, "==", "!=") + " " + string(r, depth - 1);
            case 6 -> string(r, depth - 1) + "." + pick(r, "startsWith", "endsWith", "contains")
                    + "(" + string(r, depth - 1) + ")";
            case 7 -> pick(r, "q in [1, 7, -1]", "s in ['a', 'é']", "p in [1.5, 0.0]", "k in [0, 2]");
            case 8 -> "!(" + bool(r, depth - 1) + ")";
            case 9 -> "(" + bool(r, depth - 1) + " && " + bool(r, depth - 1) + ")";
            case 10 -> "(" + bool(r, depth - 1) + " || " + bool(r, depth - 1) + ")";
            case 11 -> "(" + bool(r, depth - 1) + " ? " + bool(r, depth - 1) + " : " + bool(r, depth - 1) + ")";
            default -> "(" + bool(r, depth - 1) + ") " + pick(r, "==", "!=") + " (" + bool(r, depth - 1) + ")";
        };
    }

    private static String integer(Random r, int depth) {
        int choice = r.nextInt(depth <= 0 ? 3 : 6);
        return switch (choice) {
            case 0 -> pick(r, "q", "k", "ts", "t");
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
}
