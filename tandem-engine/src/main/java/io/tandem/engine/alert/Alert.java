package io.tandem.engine.alert;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.core.time.Timestamps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One fired alert. Its JSON form is what every delivery carries and what {@code alerts.jsonl} holds, one per line:
 * <pre>
 * {"id": "3f1c...", "rule": "price_jump", "bucket": "2026-11-26T10:05:00Z", "dims": {"symbol": "AAPL"},
 *  "values": {"open": 100.0, "close": 102.5}, "fired_at": "2026-11-26T10:05:31.042Z"}
 * </pre>
 *
 * @param id      deterministic: the same (rule, dims, bucket), or the same (rule, stream, partition, offset) for an
 *                event rule, always gets the same id, so a replay recognises what has fired
 * @param bucket  the bucket start (epoch ms) for a rule on a view, null for a rule on events
 * @param dims    the rule's {@code for_each} dimensions and their values
 * @param values  the bucket's measures, or the event's fields
 * @param firedAt when it fired, epoch ms
 */
public record Alert(String id, String rule, Long bucket, Map<String, Object> dims, Map<String, Object> values,
                    long firedAt) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {
    };
    private static final int ID_BYTES = 12;

    /**
     * Copies the maps as a JSON round trip gives them back: whole numbers as Long (BigInteger beyond the long range),
     * others as Double, and a value that is not a finite double (a double sum out of range) as null, as JSON has no
     * infinities or NaN.
     */
    public Alert {
        dims = canonical(dims);
        values = canonical(values);
    }

    private static Map<String, Object> canonical(Map<String, Object> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, canonical(v)));
        return Collections.unmodifiableMap(out);
    }

    private static Object canonical(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float || v instanceof Double) {
            double d = ((Number) v).doubleValue();
            return Double.isFinite(d) ? d : null;
        }
        return v;
    }

    /** The JSON object, with {@code bucket} and {@code fired_at} in ISO-8601 UTC. */
    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id);
        n.put("rule", rule);
        n.put("bucket", bucket == null ? null : Timestamps.format(bucket));
        n.set("dims", JSON.valueToTree(dims));
        n.set("values", JSON.valueToTree(values));
        n.put("fired_at", Timestamps.format(firedAt));
        return n;
    }

    /** The JSON text of {@link #toJson()}, on one line. */
    public String json() {
        return toJson().toString();
    }

    /**
     * Reads what {@link #json()} wrote.
     *
     * @throws IllegalArgumentException when the text is not such an object
     */
    public static Alert parse(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            JsonNode bucket = n.get("bucket");
            return new Alert(n.get("id").asText(), n.get("rule").asText(),
                    bucket == null || bucket.isNull() ? null : Timestamps.parse(bucket.asText()),
                    JSON.convertValue(n.get("dims"), OBJECT), JSON.convertValue(n.get("values"), OBJECT),
                    Timestamps.parse(n.get("fired_at").asText()));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not an alert: " + e.getMessage(), e);
        }
    }

    /** A short hex digest of the parts, joined by an unambiguous separator (analysis results use it too). */
    public static String id(Object... parts) {
        StringBuilder key = new StringBuilder();
        for (Object p : parts) {
            String s = String.valueOf(p);
            key.append(s.length()).append(':').append(s).append('|');
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, ID_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always there", e);
        }
    }
}
