package io.tandem.engine.batchview;

import io.tandem.core.GroupKey;
import io.tandem.core.MeasureDef;
import io.tandem.spi.view.CompiledView;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares the hot path's accumulators with the batch's for the same (dims, bucket, epoch) groups, each value by
 * what is exact about it:
 * <ul>
 *   <li>integer values (counts, sums, extremes, first/last of long fields) must be equal; floating values may
 *       differ by rounding (relative 1e-9);</li>
 *   <li>a quantile's KLL sketch depends on the order its values were merged in, so once it compacts two sketches
 *       of the same values give different estimates. Their item count, minimum and maximum must be equal, and
 *       each side's estimate must lie, in the other side's sketch, within the two sketches' normalized rank
 *       errors of the asked rank; the difference reported is that rank distance. Sketches that have not
 *       compacted are exact and must give the same value;</li>
 *   <li>a distinct count's HLL estimate must lie within the other side's bounds at three standard deviations.</li>
 * </ul>
 */
final class Reconciliation {

    static final int MAX_SAMPLES = 20;
    private static final double FLOAT_TOLERANCE = 1e-9;
    private static final int HLL_STD_DEVS = 3;

    private Reconciliation() {
    }

    /** A group of a view in one epoch. */
    record Group(GroupKey dims, long bucket, long epoch) {
    }

    /** How far apart one measure's two values are, and whether that is beyond what the measure allows. */
    private record Difference(double amount, boolean beyond) {
    }

    static ViewDrift compare(CompiledView view, Map<Group, Object[]> hot, Map<Group, Object[]> batch) {
        List<MeasureDef> measures = List.copyOf(view.def().measures().values());
        Set<Group> all = new HashSet<>(hot.keySet());
        all.addAll(batch.keySet());
        long differing = 0;
        double maxDiff = 0;
        List<ViewDrift.Sample> samples = new ArrayList<>();
        for (Group g : all) {
            Object[] hAccs = accumulators(view, hot.get(g));
            Object[] bAccs = accumulators(view, batch.get(g));
            Object[] h = view.results(hAccs);
            Object[] b = view.results(bAccs);
            boolean differs = false;
            for (int i = 0; i < measures.size(); i++) {
                Difference d = difference(measures.get(i), hAccs[i], bAccs[i], h[i], b[i]);
                maxDiff = Math.max(maxDiff, d.amount());
                differs |= d.beyond();
            }
            if (differs) {
                differing++;
                if (samples.size() < MAX_SAMPLES) {
                    samples.add(sample(view, g, h, b));
                }
            }
        }
        return new ViewDrift(all.size(), differing, maxDiff, samples);
    }

    private static Object[] accumulators(CompiledView view, Object[] accs) {
        return accs == null ? view.createAccumulators() : accs;
    }

    private static Difference difference(MeasureDef m, Object hotAcc, Object batchAcc, Object hot, Object batch) {
        if (hotAcc instanceof KllDoublesSketch h && batchAcc instanceof KllDoublesSketch k) {
            return quantiles(m.parameter(), h, k);
        }
        if (hotAcc instanceof HllSketch h && batchAcc instanceof HllSketch k) {
            return distinct(h, k);
        }
        if (isIntegral(hot) && isIntegral(batch)) {
            boolean equal = new BigInteger(hot.toString()).equals(new BigInteger(batch.toString()));
            return new Difference(equal ? 0 : Math.max(Double.MIN_NORMAL, relativeDifference(hot, batch)), !equal);
        }
        double d = relativeDifference(hot, batch);
        return new Difference(d, d > FLOAT_TOLERANCE);
    }

    /** An exact integer result: a Long, or a BigInteger for a sum beyond the long range. */
    private static boolean isIntegral(Object value) {
        return value instanceof Long || value instanceof BigInteger;
    }

    private static Difference quantiles(double rank, KllDoublesSketch hot, KllDoublesSketch batch) {
        if (hot.isEmpty() || batch.isEmpty()) {
            return hot.isEmpty() == batch.isEmpty() ? new Difference(0, false) : new Difference(1, true);
        }
        double exact = Math.max(relativeDifference(hot.getN(), batch.getN()), Math.max(
                relativeDifference(hot.getMinItem(), batch.getMinItem()),
                relativeDifference(hot.getMaxItem(), batch.getMaxItem())));
        if (exact > 0) {
            return new Difference(exact, true);
        }
        if (!hot.isEstimationMode() && !batch.isEstimationMode()) {
            double d = relativeDifference(hot.getQuantile(rank), batch.getQuantile(rank));
            return new Difference(d, d > 0);
        }
        double distance = Math.max(rankDistance(batch, hot.getQuantile(rank), rank),
                rankDistance(hot, batch.getQuantile(rank), rank));
        double tolerance = hot.getNormalizedRankError(false) + batch.getNormalizedRankError(false);
        return new Difference(distance, distance > tolerance);
    }

    /** How far {@code rank} lies outside the ranks that {@code sketch} gives {@code value} (ties span a range). */
    private static double rankDistance(KllDoublesSketch sketch, double value, double rank) {
        double below = sketch.getRank(value, QuantileSearchCriteria.EXCLUSIVE);
        double upTo = sketch.getRank(value, QuantileSearchCriteria.INCLUSIVE);
        return Math.max(0, Math.max(below - rank, rank - upTo));
    }

    private static Difference distinct(HllSketch hot, HllSketch batch) {
        double h = hot.getEstimate();
        double b = batch.getEstimate();
        boolean within = h >= batch.getLowerBound(HLL_STD_DEVS) && h <= batch.getUpperBound(HLL_STD_DEVS)
                && b >= hot.getLowerBound(HLL_STD_DEVS) && b <= hot.getUpperBound(HLL_STD_DEVS);
        return new Difference(relativeDifference(h, b), !within);
    }

    /**
     * 0 for equal values, 1 when one side is missing or only one is finite (or they are different infinities),
     * otherwise |a − b| / max(|a|, |b|).
     */
    static double relativeDifference(Object a, Object b) {
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

    private static ViewDrift.Sample sample(CompiledView view, Group g, Object[] h, Object[] b) {
        Map<String, Object> dims = new LinkedHashMap<>();
        for (int i = 0; i < view.def().groupBy().size(); i++) {
            dims.put(view.def().groupBy().get(i), g.dims().get(i));
        }
        Map<String, Object> hot = new LinkedHashMap<>();
        Map<String, Object> batch = new LinkedHashMap<>();
        for (int i = 0; i < view.measureNames().size(); i++) {
            hot.put(view.measureNames().get(i), h[i]);
            batch.put(view.measureNames().get(i), b[i]);
        }
        return new ViewDrift.Sample(dims, g.bucket(), g.epoch(), hot, batch);
    }
}
