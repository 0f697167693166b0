package io.tandem.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.tandem.core.AnalysisDef;
import io.tandem.engine.analysis.Analyses;
import io.tandem.engine.analysis.AnalysisResult;

import java.util.List;

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
    private static final List<String> PARAMS = List.of("from", "to", "analysis", "anomalous", "limit");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Analyses analyses;

    private AnalysisRoutes(Analyses analyses) {
        this.analyses = analyses;
    }

    static void register(RoutesConfig routes, Analyses analyses, FeedStreams streams) {
        AnalysisRoutes r = new AnalysisRoutes(analyses);
        routes.get("/v1/analyses", r::list);
        routes.get("/v1/analyses/definitions", r::definitions);
        routes.get("/v1/analyses/status", r::status);
        routes.before("/v1/analyses/live", ctx -> {
            if (ctx.method() == HandlerType.GET) {
                TandemServer.requireEventStream(ctx);
            }
        });
        routes.get("/v1/analyses/live", ctx -> r.live(ctx, streams));
        routes.get("/v1/analyses/{id}", r::one);
    }

    private void list(Context ctx) {
        QueryParams.only(ctx, PARAMS);
        long from = QueryParams.time(ctx, "from", Long.MIN_VALUE);
        long to = QueryParams.time(ctx, "to", Long.MAX_VALUE);
        String analysis = ctx.queryParam("analysis");
        if (analysis != null && !analyses.definitions().containsKey(analysis)) {
            throw QueryParams.bad("analysis: unknown analysis '" + analysis + "' (analyses: "
                    + String.join(", ", analyses.definitions().keySet()) + ")");
        }
        String anomalous = ctx.queryParam("anomalous");
        if (anomalous != null && !anomalous.equals("true") && !anomalous.equals("false")) {
            throw QueryParams.bad("anomalous: expected true or false, got \"" + anomalous + "\"");
        }
        int limit = QueryParams.limit(ctx, DEFAULT_LIMIT, MAX_LIMIT);
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

    private void live(Context ctx, FeedStreams streams) {
        streams.serve(ctx, lastId -> analyses.subscribe(lastId, FeedStreams.CLIENT_BUFFER), "analysis",
                AnalysisResult::json, AnalysisResult::eventId, "results");
    }




}
