package io.tandem.core.plan;

/** The path a workload runs on, as the planner decides it. */
public enum Placement {
    /** The hot path only: alerts. */
    HOT("hot"),
    /** The cold path only: reports, and views with no real-time need that meet every batch rule. */
    COLD("cold"),
    /** Both paths, merged at query time: views. */
    HOT_AND_COLD("hot+cold"),
    /** A first answer from the hot path, a deeper or rebuilt one from the cold path: analyses, indexes, the cache. */
    HYBRID("hybrid");

    private final String configName;

    Placement(String configName) {
        this.configName = configName;
    }

    /** How {@code tandem plan} and {@code GET /v1/plan} spell it: hot, cold, hot+cold or hybrid. */
    public String configName() {
        return configName;
    }

    /** Whether the hot path keeps state for the workload. */
    public boolean onHotPath() {
        return this != COLD;
    }
}
