package io.tandem.core;

import java.math.BigInteger;

/**
 * How far apart two accumulators of the same events are, each built by another engine or in another order
 * ({@link Measure#difference}), and whether that is beyond what the measure allows.
 *
 * @param amount the relative difference of the results (for a quantile sketch, the rank distance): 0 when equal
 * @param beyond whether it is more than the measure's error allows
 */
public record Difference(double amount, boolean beyond) {

    /** The relative tolerance of results computed in floating point, which differ by rounding. */
    public static final double FLOAT_TOLERANCE = 1e-9;

    public static final Difference NONE = new Difference(0, false);

    /**
     * The difference of two results of {@code type}: exact types must be equal (as integers of any size), doubles
     * may differ by {@link #FLOAT_TOLERANCE} relatively.
     */
    public static Difference of(ResultType type, Object a, Object b) {
        if (type.exact() && a != null && b != null) {
            boolean equal = new BigInteger(a.toString()).equals(new BigInteger(b.toString()));
            return equal ? NONE : new Difference(Math.max(Double.MIN_NORMAL, relative(a, b)), true);
        }
        double d = relative(a, b);
        return new Difference(d, type.exact() ? d > 0 : d > FLOAT_TOLERANCE);
    }

    /**
     * 0 for equal values, 1 when one side is missing or only one is finite (or they are different infinities),
     * otherwise |a − b| / max(|a|, |b|).
     */
    public static double relative(Object a, Object b) {
        if (a == null || b == null) {
            return a == b ? 0 : 1;
        }
        if (a instanceof Number x && b instanceof Number y) {
            double p = x.doubleValue();
            double q = y.doubleValue();
            if (p == q || (Double.isNaN(p) && Double.isNaN(q))) {
                return 0;
            }
            if (!Double.isFinite(p) || !Double.isFinite(q)) {
                return 1;
            }
            double scale = Math.max(Math.abs(p), Math.abs(q));
            return scale == 0 ? 0 : Math.abs(p - q) / scale;
        }
        return a.equals(b) ? 0 : 1;
    }
}
