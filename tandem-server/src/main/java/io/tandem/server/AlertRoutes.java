package io.tandem.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.alert.Alert;
import io.tandem.core.AlertDef;
import io.tandem.engine.alert.AlertEngine;
import io.tandem.engine.alert.AlertSubscription;
import io.tandem.engine.alert.DeadLetter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
 *       first. A comment every {@value #HEARTBEAT_SECONDS} s keeps the connection open. A client more than
 *       {@value #CLIENT_BUFFER} alerts behind gets a last event {@code dropped} and is disconnected; it resumes
 *       with its Last-Event-ID.</li>
 *   <li>{@code GET /v1/alerts/dead-letters}: {@code {"dead_letters": [{"alert": {...}, "webhook": ..., "attempts":
 *       5, "error": "HTTP 503", "at": ...}]}}, oldest first.</li>
 * </ul>
 */
final class AlertRoutes {

    static final int CLIENT_BUFFER = 1_024;
    static final int HEARTBEAT_SECONDS = 15;
    private static final int DEFAULT_LIMIT = 1_000;
    private static final int MAX_LIMIT = 10_000;
    private static final Set<String> PARAMS = Set.of("from", "to", "rule", "limit");
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(AlertRoutes.class);

    private final AlertEngine alerts;
    private final Map<String, AlertDef> rules;

    private AlertRoutes(AlertEngine alerts, Map<String, AlertDef> rules) {
        this.alerts = alerts;
        this.rules = rules;
    }

    /** Adds the routes; {@code rules} are the rules the config declares. */
    static void register(RoutesConfig routes, AlertEngine alerts, Map<String, AlertDef> rules) {
        AlertRoutes r = new AlertRoutes(alerts, rules);
        routes.get("/v1/alerts", r::history);
        routes.get("/v1/alerts/rules", r::rules);
        routes.get("/v1/alerts/dead-letters", r::deadLetters);
        routes.before("/v1/alerts/live", ctx -> {
            if (ctx.method() == HandlerType.GET) {
                TandemServer.requireEventStream(ctx);
            }
        });
        routes.sse("/v1/alerts/live", r::live);
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
        for (String p : ctx.queryParamMap().keySet()) {
            if (!PARAMS.contains(p)) {
                throw bad("unknown parameter '" + p + "' (parameters: from, to, rule, limit)");
            }
        }
        long from = time(ctx, "from", Long.MIN_VALUE);
        long to = time(ctx, "to", Long.MAX_VALUE);
        String rule = ctx.queryParam("rule");
        if (rule != null && !rules.containsKey(rule)) {
            throw bad("rule: unknown rule '" + rule + "' (rules: " + String.join(", ", rules.keySet()) + ")");
        }
        int limit = limit(ctx.queryParam("limit"));
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

    /** Runs on the request's thread for as long as the client stays: the subscription's buffer is its queue. */
    private void live(SseClient client) {
        String lastId = client.ctx().header("Last-Event-ID");
        if (lastId == null) {
            lastId = client.ctx().queryParam("last_event_id");
        }
        try (AlertSubscription feed = alerts.subscribe(lastId, CLIENT_BUFFER)) {
            client.sendComment("connected");
            long quietSince = System.nanoTime();
            while (!client.terminated()) {
                Alert alert = feed.poll(POLL);
                if (alert != null) {
                    client.sendEvent("alert", alert.json(), alert.id());
                    quietSince = System.nanoTime();
                } else if (feed.closed()) {
                    if (feed.overflowed()) {
                        ObjectNode last = JSON.createObjectNode();
                        last.put("error", "this client fell more than " + CLIENT_BUFFER + " alerts behind and is "
                                + "disconnected; reconnect with Last-Event-ID to resume");
                        client.sendEvent("dropped", last.toString());
                    }
                    return;
                } else if (System.nanoTime() - quietSince >= Duration.ofSeconds(HEARTBEAT_SECONDS).toNanos()) {
                    client.sendComment("heartbeat");
                    quietSince = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debug("live alert client gone: {}", e.toString());
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
