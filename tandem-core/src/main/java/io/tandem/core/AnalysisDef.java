package io.tandem.core;

import java.util.List;

/**
 * An anomaly analysis ({@code analyses:} in the config): it reads one measure of a view per group and scores each
 * closed bucket, first with a streaming model on the hot path (the quick pass), then, for a bucket graded
 * anomalous, with a model fitted on the group's history in the lake (the deep pass).
 *
 * @param view    the view whose buckets are scored
 * @param measure the measure of that view that is scored
 * @param forEach the dimensions a model is kept for: a subset of the view's group_by, in group_by order (the whole
 *                group_by by default)
 */
public record AnalysisDef(String name, String view, String measure, List<String> forEach, Needs needs) {

    public AnalysisDef {
        forEach = List.copyOf(forEach);
    }
}
