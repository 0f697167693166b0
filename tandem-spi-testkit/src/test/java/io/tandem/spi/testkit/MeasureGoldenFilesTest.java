package io.tandem.spi.testkit;

import io.tandem.core.Measure;
import io.tandem.core.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden files of every measure's binary form: the accumulator of a fixed input, as written when the format was
 * defined, under {@code src/test/resources/golden/measures}. A change to a binary form fails here.
 *
 * <p>To write the files again after a deliberate format change, run
 * {@code mvn -o -pl tandem-spi-testkit -am test -Dtest=MeasureGoldenFilesTest -Dtandem.golden.write=true}
 * from the repository root and commit them.
 */
class MeasureGoldenFilesTest {

    private static final Path DIR = Path.of("src/test/resources/golden/measures");

    /** A golden file: its name and the measure it holds. */
    record Golden(String name, String function, String field, Double parameter, Trades.Where where,
                  boolean nearLimits) {

        Golden(String name, String function, String field, Double parameter, Trades.Where where) {
            this(name, function, field, parameter, where, false);
        }

        List<Row> rows() {
            return nearLimits ? inputNearLimits() : input();
        }

        Measure<Object> measure() {
            @SuppressWarnings("unchecked")
            Measure<Object> m = (Measure<Object>) Trades.measure(function, field, parameter, where);
            return m;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Golden> goldens() {
        return List.of(
                new Golden("count", "count", null, null, null),
                new Golden("count-where-big-buy", "count", null, null, Trades.BIG_BUY),
                new Golden("sum-qty", "sum", "qty", null, null),
                new Golden("sum-qty-beyond-long", "sum", "qty", null, null, true),
                new Golden("sum-price", "sum", "price", null, null),
                new Golden("min-qty", "min", "qty", null, null),
                new Golden("max-price", "max", "price", null, null),
                new Golden("first-price", "first", "price", null, null),
                new Golden("last-qty", "last", "qty", null, null),
                new Golden("mean-price", "mean", "price", null, null),
                new Golden("variance-price", "variance", "price", null, null),
                new Golden("distinct-symbol", "distinct", "symbol", null, null),
                new Golden("distinct-qty", "distinct", "qty", null, null),
                new Golden("quantile-price-p90", "quantile", "price", 0.9, null));
    }

    /** 2,000 events from a fixed seed: times from 1966 on, nulls, 1,500 symbols (the HLL leaves sparse mode). */
    static List<Row> input() {
        Random r = new Random(20261126L);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            long t = -100_000_000_000L + (long) i * 60_000L * (1 + r.nextInt(1_000));
            rows.add(TestRow.of(Trades.STREAM, t, t + r.nextInt(5_000), (long) (i % 4) << 48 | i,
                    r.nextInt(10) == 0 ? null : "S" + r.nextInt(1_500),
                    r.nextInt(10) == 0 ? null : Math.round(r.nextGaussian() * 10_000) / 100.0,
                    r.nextInt(10) == 0 ? null : (long) r.nextInt(2_000) - 1_000,
                    t + r.nextInt(1_000),
                    r.nextBoolean()));
        }
        return rows;
    }

    /** The fixed input with quantities near {@link Long#MAX_VALUE}: their sum needs more than 64 bits. */
    static List<Row> inputNearLimits() {
        List<Row> rows = new ArrayList<>();
        int qty = Trades.STREAM.indexOf("qty");
        for (Row row : input()) {
            TestRow t = (TestRow) row;
            List<Object> values = new ArrayList<>(t.values());
            values.set(qty, t.sequence() % 3 == 0 ? null : Long.MAX_VALUE - (t.sequence() & 0xffff));
            rows.add(t.withValues(values.toArray()));
        }
        return rows;
    }

    static Object fold(Measure<Object> m, List<Row> rows) {
        Object acc = m.create();
        rows.forEach(row -> m.add(acc, row));
        return acc;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void when_goldenFileIsRead_then_itHoldsTheResultOfTheFixedInput(Golden g) throws IOException {
        Measure<Object> m = g.measure();
        byte[] golden = read(g.name());
        Object fromFile = MeasureLaws.read(m, golden);
        Object fresh = fold(m, g.rows());
        if (g.function().equals("quantile")) {
            // KLL compaction is randomized: a fresh sketch agrees by rank, and the stored one is a fixed point
            ResultEquivalence.ranks(TradesLaws.KLL_RANK_TOLERANCE, rows -> Trades.numbers(rows, g.field(), g.where()))
                    .assertEquivalent(m.result(fresh), m.result(fromFile), input());
            assertThat(MeasureLaws.write(m, MeasureLaws.read(m, golden))).isEqualTo(golden);
        } else {
            assertThat(m.result(fromFile)).isEqualTo(m.result(fresh));
            if (g.nearLimits()) {
                assertThat(m.result(fromFile)).isInstanceOf(BigInteger.class);
            }
            assertThat(MeasureLaws.write(m, fresh)).as("binary form of the fixed input").isEqualTo(golden);
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "tandem.golden.write", matches = "true")
    void writeGoldenFiles() throws IOException {
        Files.createDirectories(DIR);
        for (Golden g : goldens()) {
            Measure<Object> m = g.measure();
            Object acc = fold(m, g.rows());
            if (g.function().equals("quantile")) {
                acc = MeasureLaws.read(m, MeasureLaws.write(m, acc));
            }
            Files.write(DIR.resolve(g.name() + ".bin"), MeasureLaws.write(m, acc));
        }
    }

    private static byte[] read(String name) throws IOException {
        try (InputStream in = MeasureGoldenFilesTest.class.getResourceAsStream("/golden/measures/" + name + ".bin")) {
            assertThat(in).as("golden file " + name + ".bin").isNotNull();
            return in.readAllBytes();
        }
    }
}
