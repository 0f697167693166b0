package io.tandem.core.plan;

import java.util.Locale;

/** The kinds of workload the planner places, each with the config section it is declared in. */
public enum WorkloadKind {
    VIEW("views"),
    ALERT("alerts"),
    REPORT("reports"),
    ANALYSIS("analyses"),
    INDEX("indexes"),
    CACHE("query_cache");

    private final String section;

    WorkloadKind(String section) {
        this.section = section;
    }

    /** The config section the workload is declared in: {@code views}, {@code alerts}, ... */
    public String section() {
        return section;
    }

    /** How the plan spells it: view, alert, report, analysis, index or cache. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
