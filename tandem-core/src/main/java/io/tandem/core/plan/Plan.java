package io.tandem.core.plan;

import java.util.List;
import java.util.Optional;

/** The path of every workload of a config, in config order: views, alerts, reports, analyses, indexes, cache. */
public record Plan(List<Decision> workloads) {

    public Plan {
        workloads = List.copyOf(workloads);
    }

    /** The decision for a workload, if the config declares it. */
    public Optional<Decision> decision(WorkloadKind kind, String name) {
        return workloads.stream().filter(d -> d.kind() == kind && d.name().equals(name)).findFirst();
    }

    /** Whether the hot path keeps state for a view: true unless the plan puts it on the cold path only. */
    public boolean isHot(String view) {
        return decision(WorkloadKind.VIEW, view).map(d -> d.path().onHotPath()).orElse(true);
    }
}
