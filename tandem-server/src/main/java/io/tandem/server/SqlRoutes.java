package io.tandem.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.tandem.engine.sql.SqlException;
import io.tandem.engine.sql.SqlResult;
import io.tandem.engine.sql.SqlService;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * {@code POST /v1/sql}: read-only SQL over the lake.
 *
 * <p>The body is the SQL itself ({@code text/plain}, or no content type) or {@code {"sql": "..."}}
 * ({@code application/json}). The answer is {@code {"columns": [...], "types": [...], "rows": [[...], ...],
 * "truncated": false, "elapsed_ms": 12}}; SQL that is refused or fails is a 400 {@code {"error": "..."}} saying why.
 */
final class SqlRoutes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SqlService sql;
    private final long maxBodyBytes;

    private SqlRoutes(SqlService sql, long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
        this.sql = sql;
    }

    /** Adds the route and the mapping of {@link SqlException} to 400, or 429 with {@code Retry-After} when busy. */
    static void register(RoutesConfig routes, SqlService sql, long maxBodyBytes) {
        SqlRoutes r = new SqlRoutes(sql, maxBodyBytes);
        routes.post("/v1/sql", r::query);
        routes.exception(SqlException.class, (e, ctx) -> {
            if (e.busy()) {
                ctx.header("Retry-After", "1");
            }
            TandemServer.error(ctx, e.busy() ? HttpStatus.TOO_MANY_REQUESTS : HttpStatus.BAD_REQUEST, e.getMessage());
        });
    }

    private void query(Context ctx) {
        SqlResult result = sql.query(sqlText(ctx));
        ObjectNode root = JSON.createObjectNode();
        root.putPOJO("columns", result.columns());
        root.putPOJO("types", result.types());
        root.putPOJO("rows", JsonValues.finiteRows(result.rows()));
        root.put("truncated", result.truncated());
        root.put("elapsed_ms", result.elapsedMs());
        ctx.contentType("application/json").result(root.toString());
    }

    private String sqlText(Context ctx) {
        String type = ctx.contentType() == null ? "text/plain"
                : ctx.contentType().split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        String body = new String(TandemServer.readBody(ctx, maxBodyBytes), StandardCharsets.UTF_8);
        if (type.equals("text/plain")) {
            return body;
        }
        if (!type.equals("application/json")) {
            throw new TandemServer.ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type '"
                    + ctx.contentType() + "' is not supported; send the SQL as text/plain, or {\"sql\": \"...\"} as "
                    + "application/json");
        }
        try {
            JsonNode sql = JSON.readTree(body).path("sql");
            if (sql.isTextual()) {
                return sql.asText();
            }
        } catch (JsonProcessingException e) {
            throw new TandemServer.ApiException(HttpStatus.BAD_REQUEST, "body: expected {\"sql\": \"SELECT ...\"}, "
                    + "got invalid JSON: " + e.getOriginalMessage());
        }
        throw new TandemServer.ApiException(HttpStatus.BAD_REQUEST, "body: expected {\"sql\": \"SELECT ...\"}");
    }
}
