package io.tandem.cli.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double of the Tandem server's ingest contract, not the real server (which is built separately):
 * {@code POST /v1/streams/{stream}/events} with an NDJSON body answers
 * {@code {"accepted": N, "rejected": M, "errors": [{"line": L, "error": "..."}]}}, 200 when at least one event was
 * accepted and 400 otherwise; 413 over {@link #maxBodyBytes}; 503 with {@code Retry-After} while overloaded; an
 * {@code Idempotency-Key} seen before gets its first answer again and counts nothing.
 *
 * <p>Its one validation rule stands in for a stream schema: an event must be a JSON object with a string
 * {@code symbol}, and {@code qty}, when present, must be an integer.
 */
final class FakeIngestServer implements AutoCloseable {

    /** One request as the server saw it. */
    record Request(String stream, String idempotencyKey, String contentType, int status) {
    }

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<JsonNode> events = new ArrayList<>();
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, String> answers = new ConcurrentHashMap<>();
    private final AtomicInteger overloaded = new AtomicInteger();
    private volatile int retryAfterSeconds;
    volatile int maxBodyBytes = Integer.MAX_VALUE;

    private FakeIngestServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/streams/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static FakeIngestServer start() throws IOException {
        return new FakeIngestServer();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Answers the next {@code requests} requests with 503 and {@code Retry-After: seconds}. */
    void overloadNext(int requests, int seconds) {
        retryAfterSeconds = seconds;
        overloaded.set(requests);
    }

    /** The accepted events, in the order they arrived. */
    synchronized List<JsonNode> events() {
        return List.copyOf(events);
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] path = exchange.getRequestURI().getPath().split("/");
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!"POST".equals(exchange.getRequestMethod()) || path.length != 5 || !path[4].equals("events")) {
                respond(exchange, path.length > 3 ? path[3] : "", key, contentType, 404,
                        "{\"error\":{\"code\":\"not_found\",\"message\":\"no route\"}}");
            } else if (!"application/x-ndjson".equals(contentType)) {
                respond(exchange, path[3], key, contentType, 415,
                        "{\"error\":{\"code\":\"unsupported_media_type\","
                                + "\"message\":\"expected application/x-ndjson\"}}");
            } else if (body.length > maxBodyBytes) {
                respond(exchange, path[3], key, contentType, 413,
                        "{\"error\":{\"code\":\"payload_too_large\",\"message\":\"body too large\"}}");
            } else if (overloaded.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                exchange.getResponseHeaders().set("Retry-After", Integer.toString(retryAfterSeconds));
                respond(exchange, path[3], key, contentType, 503,
                        "{\"error\":{\"code\":\"unavailable\",\"message\":\"overloaded\"}}");
            } else {
                String answer = key == null ? ingest(body) : answers.computeIfAbsent(key, k -> ingest(body));
                int status = mapper.readTree(answer).get("accepted").asLong() > 0 ? 200 : 400;
                respond(exchange, path[3], key, contentType, status, answer);
            }
        }
    }

    private synchronized String ingest(byte[] body) {
        ObjectNode answer = mapper.createObjectNode();
        ArrayNode errors = mapper.createArrayNode();
        String[] lines = new String(body, StandardCharsets.UTF_8).split("\n");
        int accepted = 0;
        for (int i = 0; i < lines.length; i++) {
            String error = validate(lines[i]);
            if (error == null) {
                accepted++;
            } else {
                errors.addObject().put("line", i + 1).put("error", error);
            }
        }
        return answer.put("accepted", accepted).put("rejected", errors.size()).set("errors", errors).toString();
    }

    private String validate(String line) {
        JsonNode event;
        try {
            event = mapper.readTree(line);
        } catch (IOException e) {
            return "not JSON: " + line;
        }
        if (!event.isObject()) {
            return "expected a JSON object";
        }
        if (!event.path("symbol").isTextual()) {
            return "symbol: expected string, got " + event.path("symbol");
        }
        if (event.has("qty") && !event.get("qty").isIntegralNumber()) {
            return "qty: expected long, got " + event.get("qty");
        }
        events.add(event);
        return null;
    }

    private void respond(HttpExchange exchange, String stream, String key, String contentType, int status,
                         String answer) throws IOException {
        synchronized (this) {
            requests.add(new Request(stream, key, contentType, status));
        }
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
