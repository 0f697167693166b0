package io.tandem.core;

import java.util.List;
import java.util.Map;

/**
 * {@code from STREAM [where FILTER] group by DIMS, bucket(event_time, GRANULARITY) measures ...}.
 *
 * @param measures in declaration order
 */
public record ViewDef(String name, String from, List<String> groupBy, long granularityMs, String where,
                      Map<String, MeasureDef> measures) {

    public ViewDef {
        groupBy = List.copyOf(groupBy);
        measures = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(measures));
    }
}
