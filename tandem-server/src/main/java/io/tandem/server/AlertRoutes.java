package io.tandem.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.tandem.engine.alert.Alert;
import io.tandem.core.AlertDef;
import io.tandem.engine.alert.AlertEngine;
import io.tandem.engine.alert.DeadLetter;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The alerts.
 *
 * <ul>
 *   <li>{@code GET /v1/alerts[?from=T][&to=T][&rule=R][&limit=N]}: {@code {"alerts": [...]}}, the alerts fired in
 *       {@code [from, to)} (ISO-8601 or epoch ms; default: all), of one rule or all, oldest first; at most
 *       {@code limit} (default 1000, at most 10000), the newest ones when there are more.</li>
 *   <li>{@code GET /v1/alerts/live} with {@code Accept: text/event-stream} (406 without): server-sent events,
 *       one per alert as it fires: event {@code alert}, id the alert id, data the alert JSON. A
 *       {@code Last-Event-ID} header (or {@code last_event_id} parameter) replays the alerts fired after that one
 *       first, when it is one of the newest 65,536 (older ones are read with {@code GET /v1/alerts}). A comment
 *       every {@value #HEARTBEAT_SECONDS} s keeps the connection open. A client more than {@value #CLIENT_BUFFER}
 *       alerts behind gets a last event {@code dropped} and is disconnected; it resumes with its Last-Event-ID.</li>
 *   <li>{@code GET /v1/alerts/dead-letters}: {@code {"dead_letters": [{"alert": {...}, "webhook": ..., "attempts":
 *       5, "error": "HTTP 503", "at": ...}]}}, oldest first.</li>
 * </ul>
 */
final class AlertRoutes {

    private static final int DEFAULT_LIMIT = 1_000;
    private static final int MAX_LIMIT = 10_000;
    private static final List<String> PARAMS = List.of("from", "to", "rule", "limit");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AlertEngine alerts;
    private final Map<String, AlertDef> rules;

    private AlertRoutes(AlertEngine alerts, Map<String, AlertDef> rules) {
        this.alerts = alerts;
        this.rules = rules;
    }

    /** Adds the routes; {@code rules} are the rules the config declares. */
    static void register(RoutesConfig routes, AlertEngine alerts, Map<String, AlertDef> rules,
                         FeedStreams streams) {
        AlertRoutes r = new AlertRoutes(alerts, rules);
        routes.get("/v1/alerts", r::history);
        routes.get("/v1/alerts/rules", r::rules);
        routes.get("/v1/alerts/dead-letters", r::deadLetters);
        routes.before("/v1/alerts/live", ctx -> {
            if (ctx.method() == HandlerType.GET) {
                TandemServer.requireEventStream(ctx);
            }
        });
        routes.get("/v1/alerts/live", ctx -> r.live(ctx, streams));
    }

    /** {@code {"rules": [{"name", "view" or "stream", "on", "for_each", "condition"}]}}: why each alert fires. */
    private void rules(Context ctx) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("rules");
        for (AlertDef r : rules.values()) {
            ObjectNode n = list.addObject();
            n.put("name", r.name());
            n.put(r.view() != null ? "view" : "stream", r.view() != null ? r.view() : r.stream());
            n.put("on", r.on().name().toLowerCase(Locale.ROOT));
            n.putPOJO("for_each", r.forEach());
            n.put("condition", r.condition());
        }
        ctx.contentType("application/json").result(root.toString());
    }

    private void history(Context ctx) {
        QueryParams.only(ctx, PARAMS);
        long from = QueryParams.time(ctx, "from", Long.MIN_VALUE);
        long to = QueryParams.time(ctx, "to", Long.MAX_VALUE);
        String rule = ctx.queryParam("rule");
        if (rule != null && !rules.containsKey(rule)) {
            throw QueryParams.bad("rule: unknown rule '" + rule + "' (rules: " + String.join(", ", rules.keySet())
                    + ")");
        }
        int limit = QueryParams.limit(ctx, DEFAULT_LIMIT, MAX_LIMIT);
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("alerts");
        alerts.history(from, to, rule, limit).forEach(a -> list.add(a.toJson()));
        ctx.contentType("application/json").result(root.toString());
    }

    private void deadLetters(Context ctx) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("dead_letters");
        List<DeadLetter> dead = alerts.deadLetters();
        dead.forEach(d -> list.add(d.toJson()));
        ctx.contentType("application/json").result(root.toString());
    }

    private void live(Context ctx, FeedStreams streams) {
        streams.serve(ctx, lastId -> alerts.subscribe(lastId, FeedStreams.CLIENT_BUFFER), "alert", Alert::json,
                a -> a.id(), "alerts");
    }




}
