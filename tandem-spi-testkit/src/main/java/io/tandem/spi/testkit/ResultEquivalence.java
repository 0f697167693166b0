package io.tandem.spi.testkit;

import io.tandem.core.Row;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * How two results of one measure over the same rows must agree: exactly, within a relative tolerance, or within
 * a sketch's stated error. {@code expected} may be a measure's result or a naive reference answer.
 */
@FunctionalInterface
public interface ResultEquivalence {

    /**
     * @param rows all the rows both results were computed from (before any where filter)
     * @throws AssertionError when they do not agree
     */
    void assertEquivalent(Object expected, Object actual, List<Row> rows);

    /** Equal by {@link Objects#equals}: a Long equals a Long, a Double a Double (NaN equals NaN). */
    static ResultEquivalence exact() {
        return (expected, actual, rows) -> assertThat(actual).isEqualTo(expected);
    }

    /** Doubles within {@code tolerance × max(|expected|, |actual|, 1)}; equal nulls, NaNs and infinities. */
    static ResultEquivalence relative(double tolerance) {
        return relative(tolerance, rows -> 1.0);
    }

    /**
     * Doubles within {@code tolerance × max(|expected|, |actual|, scale(rows))}. The scale states the size floating
     * point error is relative to: the sum of |x| for a sum, the mean of x² for a variance.
     */
    static ResultEquivalence relative(double tolerance, ToDoubleFunction<List<Row>> scale) {
        return (expected, actual, rows) -> {
            if (expected == null || actual == null) {
                assertThat(actual).isEqualTo(expected);
                return;
            }
            double e = ((Number) expected).doubleValue();
            double a = ((Number) actual).doubleValue();
            if (!Double.isFinite(e) || !Double.isFinite(a)) {
                assertThat(Double.valueOf(a)).isEqualTo(Double.valueOf(e));
                return;
            }
            double bound = tolerance * Math.max(Math.max(Math.abs(e), Math.abs(a)), scale.applyAsDouble(rows));
            if (Math.abs(e - a) > bound) {
                fail("expected %s but got %s (difference %s > %s)", e, a, Math.abs(e - a), bound);
            }
        };
    }

    /**
     * Distinct-count estimates of an HLL sketch with 2^lgK buckets: within 3 relative standard errors
     * (1.04 / sqrt(2^lgK)) of the larger one, or 1.
     */
    static ResultEquivalence hll(int lgK) {
        double rse = 1.04 / Math.sqrt(1 << lgK);
        return (expected, actual, rows) -> {
            if (expected == null || actual == null) {
                assertThat(actual).isEqualTo(expected);
                return;
            }
            long e = ((Number) expected).longValue();
            long a = ((Number) actual).longValue();
            double bound = Math.max(1, 3 * rse * Math.max(e, a));
            if (Math.abs(e - a) > bound) {
                fail("expected about %s distinct values but got %s (bound %s)", e, a, bound);
            }
        };
    }

    /**
     * Quantile estimates compared by rank, not by value: the true normalized rank intervals of the two values in
     * the data, {@code [#(x < v) / n, #(x <= v) / n]}, lie within {@code tolerance} of each other.
     *
     * @param values the values the measure added, from all the rows
     */
    static ResultEquivalence ranks(double tolerance, Function<List<Row>, double[]> values) {
        return (expected, actual, rows) -> {
            if (expected == null || actual == null) {
                assertThat(actual).isEqualTo(expected);
                return;
            }
            double[] sorted = values.apply(rows).clone();
            Arrays.sort(sorted);
            double[] e = rankInterval(sorted, ((Number) expected).doubleValue());
            double[] a = rankInterval(sorted, ((Number) actual).doubleValue());
            double gap = Math.max(0, Math.max(e[0] - a[1], a[0] - e[1]));
            if (gap > tolerance) {
                fail("quantiles %s (rank %s..%s) and %s (rank %s..%s) are %s apart in rank, more than %s",
                        expected, e[0], e[1], actual, a[0], a[1], gap, tolerance);
            }
        };
    }

    /** {@code [#(x < v) / n, #(x <= v) / n]} over sorted values. */
    static double[] rankInterval(double[] sorted, double v) {
        int below = 0;
        int atOrBelow = 0;
        for (double x : sorted) {
            if (x < v) {
                below++;
            }
            if (x <= v) {
                atOrBelow++;
            }
        }
        return new double[] {(double) below / sorted.length, (double) atOrBelow / sorted.length};
    }
}
