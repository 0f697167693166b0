package io.tandem.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.tandem.core.TandemConfig;
import io.tandem.core.ViewDef;
import io.tandem.engine.live.LiveFilter;
import io.tandem.engine.live.LiveRow;
import io.tandem.engine.live.LiveViews;
import io.tandem.engine.live.Subscription;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v1/views/{view}/live?DIM=VALUE...}: the rows of a view that change, as server-sent events.
 *
 * <p>Each update is an event named {@code row} whose data is one row in the shape of a query row
 * ({@code {"bucket": ..., DIM: ..., MEASURE: ..., "source": ...}}) and whose id is the row change's id. A row is
 * sent at most once per 100 ms flush, with its value at the flush. A client that reconnects with
 * {@code Last-Event-ID} (an {@code EventSource} does it by itself; {@code ?lastEventId=} works too) first gets the
 * current value of each matching row changed since, or, when that id is too old, the rows of the view's recent
 * buckets, announced by a comment. A client that falls 10,000 updates behind gets an event named {@code dropped}
 * with {@code {"reason": "client too slow: ..."}} and the stream ends; it reconnects with its last id. A comment
 * every 15 s keeps idle connections open.
 */
final class LiveRoutes implements AutoCloseable {

    private static final String PATH = "/v1/views/{view}/live";
    private static final String LAST_ID_PARAM = "lastEventId";
    private static final long KEEP_ALIVE_SECONDS = 15;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LiveViews live;
    private final TandemConfig config;
    private final Set<Subscription> open = ConcurrentHashMap.newKeySet();

    LiveRoutes(LiveViews live, TandemConfig config) {
        this.live = live;
        this.config = config;
    }

    /** Adds the route: a check that answers 404, 400 or 406 before the stream starts, then the stream. */
    void register(RoutesConfig routes) {
        routes.before(PATH, this::check);
        routes.sse(PATH, this::stream);
    }

    /** Ends every open stream (the server is stopping). */
    @Override
    public void close() {
        open.forEach(Subscription::close);
    }

    private void check(Context ctx) {
        if (ctx.method() != HandlerType.GET) {
            return;
        }
        Map<String, String> dims = new LinkedHashMap<>();
        ctx.queryParamMap().forEach((k, v) -> {
            if (!k.equals(LAST_ID_PARAM) && !k.equals(RequestGuard.TOKEN_PARAM)) {
                if (v.size() != 1) {
                    throw new TandemServer.ApiException(HttpStatus.BAD_REQUEST, k + ": given " + v.size()
                            + " times, expected once");
                }
                dims.put(k, v.get(0));
            }
        });
        ctx.attribute("live.filter", live.filter(ctx.pathParam("view"), dims));
        ctx.attribute("live.lastId", lastEventId(ctx));
        TandemServer.requireEventStream(ctx);
    }

    private static Long lastEventId(Context ctx) {
        String header = ctx.header("Last-Event-ID");
        String text = header != null ? header : ctx.queryParam(LAST_ID_PARAM);
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new TandemServer.ApiException(HttpStatus.BAD_REQUEST, (header != null ? "Last-Event-ID"
                    : LAST_ID_PARAM) + ": expected the id of a row event, got \"" + text + "\"");
        }
    }

    private void stream(SseClient client) {
        LiveFilter filter = client.ctx().attribute("live.filter");
        Long lastId = client.ctx().attribute("live.lastId");
        ViewDef view = config.views().get(filter.view());
        List<String> measures = new ArrayList<>(view.measures().keySet());
        Subscription sub = live.subscribe(filter, lastId);
        open.add(sub);
        client.onClose(sub::close);
        try {
            client.sendComment(sub.resumeNote() != null ? sub.resumeNote() : "live rows of " + filter.view());
            while (!client.terminated()) {
                LiveRow row = sub.poll(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
                if (row != null) {
                    ObjectNode data = JSON.createObjectNode();
                    TandemServer.putRow(data, view.groupBy(), measures, row.row());
                    client.sendEvent("row", data.toString(), Long.toString(row.id()));
                } else if (sub.isClosed()) {
                    if (sub.dropReason() != null) {
                        client.sendEvent("dropped", JSON.createObjectNode().put("reason", sub.dropReason())
                                .toString());
                    }
                    break;
                } else {
                    client.sendComment("keep-alive");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(sub);
            sub.close();
            client.close();
        }
    }
}
