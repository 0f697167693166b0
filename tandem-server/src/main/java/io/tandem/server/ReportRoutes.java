package io.tandem.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.report.ReportException;
import io.tandem.engine.report.ReportInfo;
import io.tandem.engine.report.ReportResult;
import io.tandem.engine.report.ReportRunner;

/**
 * The scheduled reports.
 *
 * <ul>
 *   <li>{@code GET /v1/reports}: {@code {"reports": [{"name": "daily_ohlcv", "schedule": "daily at 00:05",
 *       "format": "csv", "last_period": "2026-11-25", "files": ["2026-11-24.csv", "2026-11-25.csv"],
 *       "last_error": null}]}}; {@code last_error} is {@code {"period", "error", "at"}} while the latest scheduled
 *       run of the report failed</li>
 *   <li>{@code POST /v1/reports/{name}/run?period=2026-11-25[&force=true]}: runs one period, or returns the file
 *       already written unless forced: {@code {"report": ..., "period": ..., "file": ..., "rows": 12,
 *       "written": true, "elapsed_ms": 40}}. 404 for an unknown report, 400 for a bad period or failing SQL, 409
 *       while the batch does not cover the period yet.</li>
 * </ul>
 */
final class ReportRoutes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReportRunner reports;

    private ReportRoutes(ReportRunner reports) {
        this.reports = reports;
    }

    /** Adds the routes and the mapping of {@link ReportException} to its status. */
    static void register(RoutesConfig routes, ReportRunner reports) {
        ReportRoutes r = new ReportRoutes(reports);
        routes.get("/v1/reports", r::list);
        routes.post("/v1/reports/{name}/run", r::run);
        routes.exception(ReportException.class, (e, ctx) -> TandemServer.error(ctx, switch (e.kind()) {
            case UNKNOWN_REPORT -> HttpStatus.NOT_FOUND;
            case NOT_COVERED -> HttpStatus.CONFLICT;
            case BAD_PERIOD, QUERY_FAILED -> HttpStatus.BAD_REQUEST;
        }, e.getMessage()));
    }

    private void list(Context ctx) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("reports");
        for (ReportInfo info : reports.list()) {
            ObjectNode n = list.addObject();
            n.put("name", info.name());
            n.put("schedule", info.schedule());
            n.put("format", info.format());
            n.put("last_period", info.lastPeriod());
            n.putPOJO("files", info.files());
            if (info.lastError() == null) {
                n.putNull("last_error");
            } else {
                ObjectNode e = n.putObject("last_error");
                e.put("period", info.lastError().period());
                e.put("error", info.lastError().error());
                e.put("at", Timestamps.format(info.lastError().atMs()));
            }
        }
        ctx.contentType("application/json").result(root.toString());
    }

    private void run(Context ctx) {
        String period = ctx.queryParam("period");
        if (period == null || period.isBlank()) {
            throw new TandemServer.ApiException(HttpStatus.BAD_REQUEST, "period: required, like 2026-11-25 (daily), "
                    + "2026-11-25T10 (hourly), 2026-W48 (weekly) or 2026-11 (monthly)");
        }
        String force = ctx.queryParam("force");
        if (force != null && !force.equals("true") && !force.equals("false")) {
            throw new TandemServer.ApiException(HttpStatus.BAD_REQUEST, "force: expected true or false, got \""
                    + force + "\"");
        }
        ReportResult r = reports.run(ctx.pathParam("name"), period, "true".equals(force));
        ObjectNode root = JSON.createObjectNode();
        root.put("report", r.report());
        root.put("period", r.period());
        root.put("file", r.file().toString());
        root.put("rows", r.rows());
        root.put("written", r.written());
        root.put("elapsed_ms", r.elapsedMs());
        ctx.contentType("application/json").result(root.toString());
    }
}
