package io.tandem.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.tandem.core.TandemConfig;
import io.tandem.core.ViewDef;
import io.tandem.engine.live.LiveFilter;
import io.tandem.engine.live.LiveViews;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/views/{view}/live?DIM=VALUE...}: the rows of a view that change, as server-sent events.
 *
 * <p>Each update is an event named {@code row} whose data is one row in the shape of a query row
 * ({@code {"bucket": ..., DIM: ..., MEASURE: ..., "source": ...}}) and whose id is the row change's id. A row is
 * sent at most once per 100 ms flush, with its value at the flush. A client that reconnects with
 * {@code Last-Event-ID} (an {@code EventSource} does it by itself; {@code ?last_event_id=} works too, as for alerts
 * and analyses) first gets the current value of each matching row changed since, or, when that id is too old, the
 * rows of the view's recent buckets, announced by a comment. The stream is served as every feed is
 * ({@link FeedStreams}): a client that falls 10,000 updates behind gets an event named {@code dropped} and the
 * stream ends; it reconnects with its last id.
 */
final class LiveRoutes {

    private static final String PATH = "/v1/views/{view}/live";
    private static final String LAST_ID_PARAM = FeedStreams.LAST_ID_PARAM;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LiveViews live;
    private final TandemConfig config;
    private final FeedStreams streams;

    LiveRoutes(LiveViews live, TandemConfig config, FeedStreams streams) {
        this.live = live;
        this.config = config;
        this.streams = streams;
    }

    /** Adds the route: a check that answers 404, 400 or 406 before the stream starts, then the stream. */
    void register(RoutesConfig routes) {
        routes.before(PATH, this::check);
        routes.get(PATH, this::stream);
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

    private void stream(Context ctx) {
        LiveFilter filter = ctx.attribute("live.filter");
        Long lastId = ctx.attribute("live.lastId");
        ViewDef view = config.views().get(filter.view());
        List<String> measures = new ArrayList<>(view.measures().keySet());
        measures.addAll(view.results().keySet());
        streams.serve(ctx, ignored -> live.subscribe(filter, lastId), "row", row -> {
            ObjectNode data = JSON.createObjectNode();
            TandemServer.putRow(data, view.groupBy(), measures, row.row());
            return data.toString();
        }, row -> Long.toString(row.id()), "row updates");
    }
}
