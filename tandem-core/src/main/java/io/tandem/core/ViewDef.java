package io.tandem.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code from STREAM [where FILTER] group by DIMS, bucket(event_time, GRANULARITY) measures ... results ...}.
 *
 * @param measures in declaration order
 * @param needs    what the view declares it needs, from which the planner decides its path
 * @param results  computed results by name, in declaration order: CEL expressions over the measures of one merged
 *                 row ({@code vwap: "vwap_num / volume"}), returned after the measures; they hold no state, so
 *                 changing them changes no stored data
 */
public record ViewDef(String name, String from, List<String> groupBy, long granularityMs, String where,
                      Map<String, MeasureDef> measures, Needs needs, Map<String, String> results) {

    public ViewDef {
        groupBy = List.copyOf(groupBy);
        measures = Collections.unmodifiableMap(new LinkedHashMap<>(measures));
        results = Collections.unmodifiableMap(new LinkedHashMap<>(results));
    }

    /** A view without computed results. */
    public ViewDef(String name, String from, List<String> groupBy, long granularityMs, String where,
                   Map<String, MeasureDef> measures, Needs needs) {
        this(name, from, groupBy, granularityMs, where, measures, needs, Map.of());
    }

    /** A view that declares no needs: the planner puts it on the hot and the cold path, merged. */
    public ViewDef(String name, String from, List<String> groupBy, long granularityMs, String where,
                   Map<String, MeasureDef> measures) {
        this(name, from, groupBy, granularityMs, where, measures, Needs.NONE);
    }

    /** The same view with these needs. */
    public ViewDef withNeeds(Needs declared) {
        return new ViewDef(name, from, groupBy, granularityMs, where, measures, declared, results);
    }
}
