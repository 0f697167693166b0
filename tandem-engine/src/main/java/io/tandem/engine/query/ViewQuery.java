package io.tandem.engine.query;

import java.util.Map;

/**
 * A merged-view query: the buckets that overlap {@code [fromMs, toMs)}, rolled up to {@code granularityMs} (0
 * for the view's own), restricted to the rows whose dimensions equal {@code dimensions} (values as text). Any
 * {@code fromMs < toMs} is a valid range: it is clipped to the buckets whose start and end are both longs, so
 * {@code [Long.MIN_VALUE, Long.MAX_VALUE)} means every bucket.
 */
public record ViewQuery(String view, long fromMs, long toMs, long granularityMs, Map<String, String> dimensions) {

    public ViewQuery {
        dimensions = Map.copyOf(dimensions);
    }
}
