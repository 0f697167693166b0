package io.tandem.engine.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.core.time.Timestamps;

import java.io.IOException;

/**
 * An alert its webhook did not take after the last retry. One JSON object per line in
 * {@code <data-dir>/alerts/dead-letters.jsonl}:
 * {@code {"alert": {...}, "webhook": "http://...", "attempts": 5, "error": "HTTP 503", "at": "2026-..."}}.
 *
 * @param error what the last attempt got: {@code HTTP 503}, or the exception
 * @param atMs  when the last attempt failed
 */
public record DeadLetter(Alert alert, String webhook, int attempts, String error, long atMs) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.set("alert", alert.toJson());
        n.put("webhook", webhook);
        n.put("attempts", attempts);
        n.put("error", error);
        n.put("at", Timestamps.format(atMs));
        return n;
    }

    /** Reads what {@code toJson().toString()} wrote; IllegalArgumentException when it cannot. */
    static DeadLetter parse(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return new DeadLetter(Alert.parse(n.get("alert").toString()), n.get("webhook").asText(),
                    n.get("attempts").asInt(), n.get("error").asText(), Timestamps.parse(n.get("at").asText()));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a dead letter: " + e.getMessage(), e);
        }
    }
}
