package io.tandem.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.core.plan.Decision;
import io.tandem.core.plan.Plan;

/**
 * A plan as {@code GET /v1/plan} and {@code tandem plan --format json} write it:
 * {@code {"workloads": [{"name", "kind", "needs", "path", "rule"}]}}, with the needs the decision was made on
 * (declared, and the kind's defaults) as the config spells them.
 */
public final class PlanJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PlanJson() {
    }

    public static ObjectNode of(Plan plan) {
        ObjectNode root = JSON.createObjectNode();
        var workloads = root.putArray("workloads");
        for (Decision d : plan.workloads()) {
            ObjectNode w = workloads.addObject();
            w.put("name", d.name());
            w.put("kind", d.kind().configName());
            w.set("needs", JSON.valueToTree(d.needs().toConfigMap()));
            w.put("path", d.path().configName());
            w.put("rule", d.rule());
        }
        return root;
    }
}
