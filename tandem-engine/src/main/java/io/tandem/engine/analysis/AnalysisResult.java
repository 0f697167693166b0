package io.tandem.engine.analysis;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.alert.Alert;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One pass of an analysis over one group's closed bucket. The quick pass publishes a result; the deep pass, for a
 * bucket the quick pass graded anomalous, publishes an update with the same {@link #id()}. Its JSON form is what
 * the live feed carries and what {@code results.jsonl} holds, one per line:
 * <pre>
 * {"id": "9b0e...", "analysis": "volume_anomaly", "dims": {"symbol": "AAPL"}, "bucket": "2026-11-26T10:05:00Z",
 *  "pass": "quick", "score": 1.9, "grade": 0.7, "model": "trcf", "value": 5120.0, "elapsed_ms": 3,
 *  "closed_at": "...", "published_at": "...", "explanation": null}
 * </pre>
 *
 * @param id          deterministic: the same (analysis, dims, bucket) always gets the same id
 * @param dims        the analysis's {@code for_each} dimensions and their values
 * @param bucket      the bucket start, epoch ms
 * @param pass        {@code quick} or {@code deep}
 * @param score       the forest's anomaly score (higher is more unusual)
 * @param grade       0 when not anomalous, up to 1
 * @param model       what scored it
 * @param value       the measure's value in the bucket
 * @param closedAt    when the bucket was seen closed, epoch ms; {@code elapsed_ms} counts from here
 * @param publishedAt when this pass was published, epoch ms
 * @param explanation the deep pass's explanation (measure, expected value and range, how unusual), else null
 */
public record AnalysisResult(String id, String analysis, Map<String, Object> dims, long bucket, String pass,
                             double score, double grade, String model, double value, long closedAt,
                             long publishedAt, ObjectNode explanation) {

    public static final String QUICK = "quick";
    public static final String DEEP = "deep";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {
    };

    public AnalysisResult {
        dims = Collections.unmodifiableMap(new LinkedHashMap<>(dims));
    }

    /** The id of an analysis's result for one group's bucket. */
    public static String id(String analysis, Map<String, Object> dims, long bucket) {
        return Alert.id(analysis, dims, bucket);
    }

    /** The live feed's event id: the result id and the pass, unique per published line. */
    public String eventId() {
        return id + "-" + pass;
    }

    public long elapsedMs() {
        return Math.max(0, publishedAt - closedAt);
    }

    public boolean anomalous() {
        return grade > 0;
    }

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id);
        n.put("analysis", analysis);
        n.set("dims", JSON.valueToTree(dims));
        n.put("bucket", Timestamps.format(bucket));
        n.put("pass", pass);
        n.put("score", finite(score));
        n.put("grade", finite(grade));
        n.put("model", model);
        n.put("value", finite(value));
        n.put("elapsed_ms", elapsedMs());
        n.put("closed_at", Timestamps.format(closedAt));
        n.put("published_at", Timestamps.format(publishedAt));
        n.set("explanation", explanation);
        return n;
    }

    private static double finite(double d) {
        return Double.isFinite(d) ? d : 0;
    }

    public String json() {
        return toJson().toString();
    }

    /**
     * Reads what {@link #json()} wrote.
     *
     * @throws IllegalArgumentException when the text is not such an object
     */
    public static AnalysisResult parse(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            JsonNode explanation = n.get("explanation");
            return new AnalysisResult(n.get("id").asText(), n.get("analysis").asText(),
                    JSON.convertValue(n.get("dims"), OBJECT), Timestamps.parse(n.get("bucket").asText()),
                    n.get("pass").asText(), n.get("score").asDouble(), n.get("grade").asDouble(),
                    n.get("model").asText(), n.get("value").asDouble(), Timestamps.parse(n.get("closed_at").asText()),
                    Timestamps.parse(n.get("published_at").asText()),
                    explanation instanceof ObjectNode o ? o : null);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not an analysis result: " + e.getMessage(), e);
        }
    }
}
