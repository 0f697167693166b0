package io.tandem.spi.testkit;

import io.tandem.core.Measure;
import io.tandem.core.Row;
import io.tandem.core.measure.Measures;
import net.jqwik.api.Arbitrary;
import org.apache.datasketches.kll.KllSketch;

import java.util.List;
import java.util.function.Function;

/** The measure laws for one measure over the trades stream, with the equivalence and reference its function needs. */
abstract class TradesLaws extends MeasureLaws {

    /** KLL's rank error for k = 200 at 99% confidence, doubled: two estimates may each be off by it. */
    static final double KLL_RANK_TOLERANCE = 2 * KllSketch.getNormalizedRankError(Measures.KLL_K, false);

    private final String function;
    private final String field;
    private final Double parameter;
    private final Trades.Where where;
    private final Measure<?> measure;

    TradesLaws(String function, String field, Double parameter, Trades.Where where) {
        this.function = function;
        this.field = field;
        this.parameter = parameter;
        this.where = where;
        this.measure = Trades.measure(function, field, parameter, where);
    }

    TradesLaws(String function, String field) {
        this(function, field, null, null);
    }

    @Override
    protected Measure<?> measure() {
        return measure;
    }

    @Override
    protected Arbitrary<Row> rows() {
        return RowArbitraries.rows(Trades.STREAM);
    }

    @Override
    protected ResultEquivalence equivalence() {
        boolean integral = field == null || !field.equals("price");
        return switch (function) {
            case "sum" -> integral
                    ? ResultEquivalence.exact()
                    : ResultEquivalence.relative(1e-9, this::sumOfMagnitudes);
            case "mean" -> ResultEquivalence.relative(1e-9, rows -> meanOf(rows, false));
            case "variance" -> ResultEquivalence.relative(1e-9, rows -> meanOf(rows, true));
            case "distinct" -> ResultEquivalence.hll(Measures.HLL_LG_K);
            case "quantile" -> ResultEquivalence.ranks(KLL_RANK_TOLERANCE, rows -> Trades.numbers(rows, field, where));
            default -> ResultEquivalence.exact();
        };
    }

    @Override
    protected boolean binaryFormRoundTripsExactly() {
        return !function.equals("quantile");
    }

    @Override
    protected Function<List<Row>, Object> reference() {
        return rows -> Trades.reference(function, field, parameter, where, rows);
    }

    private double sumOfMagnitudes(List<Row> rows) {
        double s = 0;
        for (double x : Trades.numbers(rows, field, where)) {
            s += Math.abs(x);
        }
        return s;
    }

    /** The mean of |x|, or of x² for a variance: the size its rounding errors are relative to. */
    private double meanOf(List<Row> rows, boolean squares) {
        double[] xs = Trades.numbers(rows, field, where);
        double s = 0;
        for (double x : xs) {
            s += squares ? x * x : Math.abs(x);
        }
        return xs.length == 0 ? 0 : s / xs.length;
    }
}
