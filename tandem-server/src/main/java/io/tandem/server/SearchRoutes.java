package io.tandem.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.tandem.engine.search.SearchException;
import io.tandem.engine.search.SearchIndexes;
import io.tandem.engine.search.SearchResult;

import java.util.List;

/**
 * The full-text search indexes.
 *
 * <ul>
 *   <li>{@code GET /v1/search/{index}?q=QUERY[&from=T][&to=T][&limit=N]}: {@code {"total": N, "hits": [{"score":
 *       S, "fields": {...}}]}}, the events matching the query (Lucene's classic syntax over the index's fields),
 *       with an event time in {@code [from, to)} (ISO-8601 or epoch ms; default: all), best first, at most
 *       {@code limit} (default {@value #DEFAULT_LIMIT}, at most {@value SearchIndexes#MAX_LIMIT}); {@code total}
 *       counts every match. 404 for an unknown index, 400 for a missing {@code q}, a query that does not parse
 *       or names a field the index does not search, or a bad parameter.</li>
 *   <li>{@code GET /v1/search}: {@code {"indexes": [{"name", "stream", "fields", "boundary_epoch",
 *       "batch_version", "batch_docs", "realtime_docs", "queued", "last_rebuild_ms", "last_error"}]}}.</li>
 * </ul>
 */
final class SearchRoutes {

    static final int DEFAULT_LIMIT = 20;
    private static final List<String> PARAMS = List.of("q", "from", "to", "limit");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SearchIndexes search;

    private SearchRoutes(SearchIndexes search) {
        this.search = search;
    }

    /** Adds the routes and the mapping of {@link SearchException} to 404 or 400. */
    static void register(RoutesConfig routes, SearchIndexes search) {
        SearchRoutes r = new SearchRoutes(search);
        routes.get("/v1/search", r::indexes);
        routes.get("/v1/search/{index}", r::search);
        routes.exception(SearchException.class, (e, ctx) -> TandemServer.error(ctx,
                e.notFound() ? HttpStatus.NOT_FOUND : HttpStatus.BAD_REQUEST, e.getMessage()));
    }

    private void search(Context ctx) {
        QueryParams.only(ctx, PARAMS);
        String index = ctx.pathParam("index");
        // an unknown index is named before anything about the request is
        search.status(index);
        String q = ctx.queryParam("q");
        if (q == null || q.isBlank()) {
            throw QueryParams.bad("q: required (Lucene query syntax, e.g. q=headline:merger; q=*:* for every "
                    + "event)");
        }
        SearchResult result = search.search(index, q, QueryParams.time(ctx, "from", Long.MIN_VALUE),
                QueryParams.time(ctx, "to", Long.MAX_VALUE),
                QueryParams.limit(ctx, DEFAULT_LIMIT, SearchIndexes.MAX_LIMIT));
        ObjectNode root = JSON.createObjectNode();
        root.put("total", result.total());
        ArrayNode hits = root.putArray("hits");
        for (SearchResult.Hit hit : result.hits()) {
            ObjectNode h = hits.addObject();
            h.put("score", hit.score());
            ObjectNode fields = h.putObject("fields");
            hit.fields().forEach(fields::putPOJO);
        }
        ctx.contentType("application/json").result(root.toString());
    }

    private void indexes(Context ctx) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("indexes");
        List<SearchIndexes.IndexStatus> statuses = search.statuses();
        for (SearchIndexes.IndexStatus s : statuses) {
            ObjectNode n = list.addObject();
            n.put("name", s.name());
            n.put("stream", s.stream());
            n.putPOJO("fields", s.fields());
            n.putPOJO("boundary_epoch", s.boundaryEpoch());
            n.put("batch_version", s.batchVersion());
            n.put("batch_docs", s.batchDocs());
            n.put("realtime_docs", s.realtimeDocs());
            n.put("queued", s.queued());
            n.putPOJO("last_rebuild_ms", s.lastRebuildMs());
            n.put("last_error", s.lastError());
        }
        ctx.contentType("application/json").result(root.toString());
    }



}
