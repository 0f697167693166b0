package io.tandem.engine.batchview;

import io.tandem.core.GroupKey;
import io.tandem.core.MeasureDef;
import io.tandem.engine.view.CompiledView;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares the hot path's accumulators with the batch's for the same (dims, bucket, epoch) groups. Integer
 * values (counts, sums, extremes, first/last of long fields) must be equal; floating values may differ by
 * rounding (relative 1e-9); sketch estimates by their stated error (relative 5 %).
 */
final class Reconciliation {

    static final int MAX_SAMPLES = 20;
    private static final double FLOAT_TOLERANCE = 1e-9;
    private static final double SKETCH_TOLERANCE = 0.05;

    private Reconciliation() {
    }

    /** A group of a view in one epoch. */
    record Group(GroupKey dims, long bucket, long epoch) {
    }

    static ViewDrift compare(CompiledView view, Map<Group, Object[]> hot, Map<Group, Object[]> batch) {
        List<MeasureDef> measures = List.copyOf(view.def().measures().values());
        Set<Group> all = new HashSet<>(hot.keySet());
        all.addAll(batch.keySet());
        long differing = 0;
        double maxDiff = 0;
        List<ViewDrift.Sample> samples = new ArrayList<>();
        for (Group g : all) {
            Object[] h = results(view, hot.get(g));
            Object[] b = results(view, batch.get(g));
            boolean differs = false;
            for (int i = 0; i < measures.size(); i++) {
                double d = relativeDifference(h[i], b[i]);
                maxDiff = Math.max(maxDiff, d);
                boolean integral = h[i] instanceof Long && b[i] instanceof Long;
                if (d > (integral ? 0 : tolerance(measures.get(i)))) {
                    differs = true;
                }
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

    private static Object[] results(CompiledView view, Object[] accs) {
        return view.results(accs == null ? view.createAccumulators() : accs);
    }

    private static double tolerance(MeasureDef m) {
        return switch (m.function()) {
            case "distinct", "quantile" -> SKETCH_TOLERANCE;
            default -> FLOAT_TOLERANCE;
        };
    }

    /** 0 for equal values, 1 when one side is missing, otherwise |a − b| / max(|a|, |b|). */
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
