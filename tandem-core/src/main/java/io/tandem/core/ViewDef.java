package io.tandem.core;

import java.util.List;
import java.util.Map;

/**
 * {@code from STREAM [where FILTER] group by DIMS, bucket(event_time, GRANULARITY) measures ...}.
 *
 * @param measures in declaration order
 * @param needs    what the view declares it needs, from which the planner decides its path
 */
public record ViewDef(String name, String from, List<String> groupBy, long granularityMs, String where,
                      Map<String, MeasureDef> measures, Needs needs) {

    public ViewDef {
        groupBy = List.copyOf(groupBy);
        measures = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(measures));
    }

    /** A view that declares no needs: the planner puts it on the hot and the cold path, merged. */
    public ViewDef(String name, String from, List<String> groupBy, long granularityMs, String where,
                   Map<String, MeasureDef> measures) {
        this(name, from, groupBy, granularityMs, where, measures, Needs.NONE);
    }

    /** The same view with these needs. */
    public ViewDef withNeeds(Needs declared) {
        return new ViewDef(name, from, groupBy, granularityMs, where, measures, declared);
    }
}
