package io.tandem.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.tandem.core.AnalysisDef;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.analysis.Analyses;
import io.tandem.engine.analysis.AnalysisResult;
import io.tandem.engine.analysis.AnalysisSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;

/**
 * The analyses.
 *
 * <ul>
 *   <li>{@code GET /v1/analyses[?from=T][&to=T][&analysis=A][&anomalous=true][&limit=N]}: {@code {"analyses":
 *       [...]}}, the results of buckets in {@code [from, to)} (ISO-8601 or epoch ms; default: all), of one analysis
 *       or all, only those either pass graded anomalous with {@code anomalous=true}, oldest first; at most
 *       {@code limit} (default 1000, at most 10000), the newest ones. Each is the latest pass's result with
 *       {@code quick} and {@code deep} (null until the deep pass is published).</li>
 *   <li>{@code GET /v1/analyses/{id}}: one result, both passes; 404 for an unknown id.</li>
 *   <li>{@code GET /v1/analyses/definitions}: {@code {"analyses": [{"name", "view", "measure", "for_each"}]}}.</li>
 *   <li>{@code GET /v1/analyses/status}: the deep pass's workers, queue, backlog and how often the queue was full.</li>
 *   <li>{@code GET /v1/analyses/live} with {@code Accept: text/event-stream} (406 without): server-sent events
 *       {@code analysis}, one per published pass (the quick result, then its deep update), id
 *       {@code <result id>-<pass>}, data the result JSON. {@code Last-Event-ID} (or {@code last_event_id}) replays
 *       what was published after that event first; heartbeats and the {@code dropped} event as for alerts.</li>
 * </ul>
 */
final class AnalysisRoutes {

    private static final int DEFAULT_LIMIT = 1_000;
    private static final int MAX_LIMIT = 10_000;
    private static final Set<String> PARAMS = Set.of("from", "to", "analysis", "anomalous", "limit");
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(AnalysisRoutes.class);

    private final Analyses analyses;

    private AnalysisRoutes(Analyses analyses) {
        this.analyses = analyses;
    }

    static void register(RoutesConfig routes, Analyses analyses) {
        AnalysisRoutes r = new AnalysisRoutes(analyses);
        routes.get("/v1/analyses", r::list);
        routes.get("/v1/analyses/definitions", r::definitions);
        routes.get("/v1/analyses/status", r::status);
        routes.before("/v1/analyses/live", ctx -> {
            if (ctx.method() == HandlerType.GET) {
                TandemServer.requireEventStream(ctx);
            }
        });
        routes.sse("/v1/analyses/live", r::live);
        routes.get("/v1/analyses/{id}", r::one);
    }

    private void list(Context ctx) {
        for (String p : ctx.queryParamMap().keySet()) {
            if (!PARAMS.contains(p)) {
                throw bad("unknown parameter '" + p + "' (parameters: from, to, analysis, anomalous, limit)");
            }
        }
        long from = time(ctx, "from", Long.MIN_VALUE);
        long to = time(ctx, "to", Long.MAX_VALUE);
        String analysis = ctx.queryParam("analysis");
        if (analysis != null && !analyses.definitions().containsKey(analysis)) {
            throw bad("analysis: unknown analysis '" + analysis + "' (analyses: "
                    + String.join(", ", analyses.definitions().keySet()) + ")");
        }
        String anomalous = ctx.queryParam("anomalous");
        if (anomalous != null && !anomalous.equals("true") && !anomalous.equals("false")) {
            throw bad("anomalous: expected true or false, got \"" + anomalous + "\"");
        }
        int limit = limit(ctx.queryParam("limit"));
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("analyses");
        analyses.list(from, to, analysis, "true".equals(anomalous), limit).forEach(e -> list.add(e.toJson()));
        ctx.contentType("application/json").result(root.toString());
    }

    private void one(Context ctx) {
        String id = ctx.pathParam("id");
        var entry = analyses.get(id).orElseThrow(() -> new TandemServer.ApiException(HttpStatus.NOT_FOUND,
                "unknown analysis result id '" + id + "'"));
        ctx.contentType("application/json").result(entry.toJson().toString());
    }

    private void definitions(Context ctx) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("analyses");
        for (AnalysisDef d : analyses.definitions().values()) {
            ObjectNode n = list.addObject();
            n.put("name", d.name());
            n.put("view", d.view());
            n.put("measure", d.measure());
            n.putPOJO("for_each", d.forEach());
        }
        ctx.contentType("application/json").result(root.toString());
    }

    private void status(Context ctx) {
        Analyses.Status s = analyses.status();
        ObjectNode n = JSON.createObjectNode();
        n.put("groups", s.groups());
        n.put("deep_running", s.deepRunning());
        n.put("deep_queued", s.deepQueued());
        n.put("deep_queue_capacity", Analyses.DEEP_QUEUE);
        n.put("deep_backlog", s.deepBacklog());
        n.put("deep_queue_full_total", s.deepQueueFullTotal());
        n.put("deep_failed_total", s.deepFailedTotal());
        n.put("dropped_total", s.droppedTotal());
        n.put("state", s.deepBacklog() > 0 ? "deep queue full: " + s.deepBacklog() + " waiting in the backlog"
                : "ok");
        ctx.contentType("application/json").result(n.toString());
    }

    /** Runs on the request's thread for as long as the client stays: the subscription's buffer is its queue. */
    private void live(SseClient client) {
        String lastId = client.ctx().header("Last-Event-ID");
        if (lastId == null) {
            lastId = client.ctx().queryParam("last_event_id");
        }
        try (AnalysisSubscription feed = analyses.subscribe(lastId, AlertRoutes.CLIENT_BUFFER)) {
            client.sendComment("connected");
            long quietSince = System.nanoTime();
            while (!client.terminated()) {
                AnalysisResult r = feed.poll(POLL);
                if (r != null) {
                    client.sendEvent("analysis", r.json(), r.eventId());
                    quietSince = System.nanoTime();
                } else if (feed.closed()) {
                    if (feed.overflowed()) {
                        ObjectNode last = JSON.createObjectNode();
                        last.put("error", "this client fell more than " + AlertRoutes.CLIENT_BUFFER + " results "
                                + "behind and is disconnected; reconnect with Last-Event-ID to resume");
                        client.sendEvent("dropped", last.toString());
                    }
                    return;
                } else if (System.nanoTime() - quietSince
                        >= Duration.ofSeconds(AlertRoutes.HEARTBEAT_SECONDS).toNanos()) {
                    client.sendComment("heartbeat");
                    quietSince = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debug("live analysis client gone: {}", e.toString());
        }
    }

    private static long time(Context ctx, String name, long absent) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return absent;
        }
        try {
            return Timestamps.parse(v);
        } catch (IllegalArgumentException e) {
            throw bad(name + ": " + e.getMessage());
        }
    }

    private static int limit(String v) {
        if (v == null) {
            return DEFAULT_LIMIT;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1 || n > MAX_LIMIT) {
            throw bad("limit: expected a whole number from 1 to " + MAX_LIMIT + ", got \"" + v + "\"");
        }
        return n;
    }

    private static TandemServer.ApiException bad(String message) {
        return new TandemServer.ApiException(HttpStatus.BAD_REQUEST, message);
    }
}
