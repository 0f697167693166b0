package io.tandem.engine.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Both passes of one analysis result: the quick one, and the deep update when there is one. Its JSON is the latest
 * pass's result with {@code quick} and {@code deep} objects ({@code deep} null until it is published).
 */
public record AnalysisEntry(AnalysisResult quick, AnalysisResult deep) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String id() {
        return quick.id();
    }

    /** The deep pass when published, else the quick one. */
    public AnalysisResult latest() {
        return deep != null ? deep : quick;
    }

    AnalysisEntry withDeep(AnalysisResult d) {
        return new AnalysisEntry(quick, d);
    }

    public ObjectNode toJson() {
        ObjectNode n = latest().toJson();
        n.remove("explanation");
        n.set("quick", pass(quick));
        n.set("deep", deep == null ? JSON.nullNode() : pass(deep));
        return n;
    }

    private static ObjectNode pass(AnalysisResult r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("score", r.toJson().get("score").asDouble());
        n.put("grade", r.toJson().get("grade").asDouble());
        n.put("model", r.model());
        n.put("elapsed_ms", r.elapsedMs());
        n.put("published_at", r.toJson().get("published_at").asText());
        if (r.explanation() != null) {
            n.set("explanation", r.explanation());
        }
        return n;
    }
}
