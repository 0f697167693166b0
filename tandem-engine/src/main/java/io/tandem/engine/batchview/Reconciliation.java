package io.tandem.engine.batchview;

import io.tandem.core.Difference;
import io.tandem.core.GroupKey;
import io.tandem.core.Measure;
import io.tandem.spi.view.CompiledView;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares the hot path's accumulators with the batch's for the same (dims, bucket, epoch) groups, each measure
 * by what is exact about it ({@link io.tandem.core.Measure#difference}): integer results must be equal, floating
 * ones may differ by rounding (relative 1e-9), a quantile's KLL sketch by its rank error, a distinct count's HLL
 * estimate by the other side's bounds at three standard deviations.
 */
final class Reconciliation {

    static final int MAX_SAMPLES = 20;

    private Reconciliation() {
    }

    /** A group of a view in one epoch. */
    record Group(GroupKey dims, long bucket, long epoch) {
    }

    static ViewDrift compare(CompiledView view, Map<Group, Object[]> hot, Map<Group, Object[]> batch) {
        Measure<Object>[] measures = view.measures();
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
            for (int i = 0; i < measures.length; i++) {
                Difference d = measures[i].difference(hAccs[i], bAccs[i]);
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
