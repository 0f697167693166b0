package io.tandem.core.plan;

import io.tandem.core.Needs;

/**
 * The planner's decision for one workload.
 *
 * @param needs the needs it was decided on: those the workload declares, and its kind's defaults for the rest
 * @param rule  the rule that decided, in words, like {@code hot: freshness 2s < 5s}
 */
public record Decision(String name, WorkloadKind kind, Needs needs, Placement path, String rule) {
}
