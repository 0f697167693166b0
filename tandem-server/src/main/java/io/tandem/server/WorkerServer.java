package io.tandem.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.tandem.engine.HotWorker;

/**
 * The HTTP face of a hot-path worker ({@code serve --role worker}): {@code GET /v1/status} (the partitions it
 * works and their lag) and {@code GET /metrics}. Everything else is the serving node's.
 */
public final class WorkerServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Javalin app;
    private final ServerOptions options;

    private WorkerServer(HotWorker worker, ServerOptions options) {
        this.options = options;
        RequestGuard guard = new RequestGuard(options);
        this.app = Javalin.create(cfg -> {
            Listener.configure(cfg, options);
            cfg.startup.showJavalinBanner = false;
            cfg.http.prefer405over404 = true;
            cfg.routes.before(guard::check);
            cfg.routes.get("/v1/status", ctx -> ctx.contentType("application/json")
                    .result(JSON.writeValueAsString(worker.status())));
            cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(worker.metrics().scrape()));
            cfg.routes.exception(TandemServer.ApiException.class, (e, ctx) ->
                    TandemServer.error(ctx, e.status, e.getMessage()));
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> TandemServer.error(ctx,
                    HttpStatus.forStatus(e.getStatus()), e.getStatus() == 404 ? "no such endpoint on a worker: "
                            + ctx.method() + " " + ctx.path() + " (a worker answers GET /v1/status and GET /metrics;"
                            + " the serving node answers the rest)" : e.getMessage()));
        });
    }

    public static WorkerServer start(HotWorker worker, ServerOptions options) {
        WorkerServer server = new WorkerServer(worker, options);
        server.app.start();
        return server;
    }

    /** The base URL, e.g. {@code http://127.0.0.1:7071}. */
    public String url() {
        return Listener.url(options, app.port());
    }

    @Override
    public void close() {
        app.stop();
    }
}
