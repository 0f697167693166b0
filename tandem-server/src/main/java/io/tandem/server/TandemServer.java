package io.tandem.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.tandem.core.plan.Placement;
import io.tandem.core.plan.WorkloadKind;
import io.tandem.core.time.Durations;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.Status;
import io.tandem.engine.Tandem;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.engine.hot.DeadLetters;
import io.tandem.engine.ingest.IngestException;
import io.tandem.engine.ingest.IngestResponse;
import io.tandem.engine.ingest.Sequence;
import io.tandem.engine.query.QueryException;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import io.tandem.spi.store.StoreUnavailableException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP API ({@code /v1}), {@code /metrics} and the dashboard at {@code /} over one embedded {@link Tandem}.
 * Handlers are plain lambdas.
 */
public final class TandemServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TandemServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> INGEST_TYPES = Set.of("application/x-ndjson", "application/ndjson",
            "application/jsonl", "application/json", "application/x-jsonlines");
    private static final int MAX_IDEMPOTENCY_KEY = 200;
    /** The slowest a request body may arrive, on average since the request began. */
    static final long MIN_BODY_BYTES_PER_SECOND = 4_096;
    /** The longest a blocked read of a request body (or write of a response) waits. */
    static final long BODY_IDLE_MS = 30_000;
    /** The time spent waiting for a body before its rate is checked. */
    static final long BODY_GRACE_MS = 2_000;
    private static final String SLOW_BODY = "the request body came slower than " + MIN_BODY_BYTES_PER_SECOND
            + " bytes/s or stopped for " + BODY_IDLE_MS / 1000 + " s; nothing was taken";
    /** Request bodies one client address may be sending at once; one more is answered 429. */
    static final int MAX_UPLOADS_PER_CLIENT = 32;
    /**
     * Ingest requests in progress at once, from every client: past it the server is at capacity and answers 503
     * with {@code Retry-After} at once, rather than queueing requests (and their bodies) without bound.
     */
    public static final int MAX_INGESTS_IN_PROGRESS = 64;
    /** Orders the requests of one sender: {@code <session>/<n>}, see {@link Sequence}. */
    static final String SEQUENCE_HEADER = "Tandem-Sequence";
    private static final Set<String> QUERY_PARAMS = Set.of("from", "to", "granularity");

    private final Tandem tandem;
    private final ServerOptions options;
    private final Javalin app;
    /** The most request threads; streams of server-sent events hold none while they wait. */
    static final int MAX_THREADS = 200;

    private final FeedStreams streams = new FeedStreams();
    /**
     * Open connections, event streams included; past it the server stops accepting until one closes, so that the
     * state Jetty keeps per connection cannot grow without bound under overload.
     */
    public static final int MAX_CONNECTIONS = 2_048;

    private final QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 8, 60_000);
    private final LiveRoutes live;
    private final Overview overview;
    private final ServerMetrics metrics;
    /** Request bodies being read, per client address. */
    private final Map<String, AtomicInteger> uploads = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger ingests = new AtomicInteger();
    /** A serving node's batch node, which runs what {@code POST /v1/batch/run} asks for; null otherwise. */
    private final URI batchNode;
    /** Every route registered, as {@code METHOD /path}: what the OpenAPI document must describe. */
    private final List<String> routes = new CopyOnWriteArrayList<>();
    private final HttpClient forwarder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TandemServer(Tandem tandem, ServerOptions options, URI batchNode) {
        this.tandem = tandem;
        this.options = options;
        this.batchNode = batchNode;
        this.live = new LiveRoutes(tandem.liveViews(), tandem.config(), streams);
        this.overview = new Overview(tandem, System::currentTimeMillis);
        this.metrics = new ServerMetrics(tandem.metrics().registry());
        RequestGuard guard = new RequestGuard(options);
        this.app = Javalin.create(cfg -> {
            Listener.configure(cfg, options);
            threads.setName("tandem-http");
            cfg.jetty.threadPool = threads;
            cfg.jetty.modifyServer(server -> server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, server)));
            // Jetty's per-connection header cache matches values ignoring case by default, which would hand a
            // handler a cached "Bearer s3cret" for a later "Bearer S3CRET" on the same connection
            cfg.jetty.modifyHttpConfiguration(http -> {
                http.setHeaderCacheCaseSensitive(true);
                // a body that stops coming holds a request thread no longer (readBody checks its rate)
                http.setIdleTimeout(BODY_IDLE_MS);
            });
            // Jetty's own answers (a request it cannot parse, a URI or headers too long) in the API's error shape
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrors()));
            cfg.http.maxRequestSize = options.maxBodyBytes() + 1;
            cfg.startup.showJavalinBanner = false;
            cfg.http.prefer405over404 = true;
            cfg.requestLogger.http(metrics::request);
            cfg.events.handlerAdded(h -> {
                if (h.getHttpMethod().isHttpMethod()) {
                    routes.add(h.getHttpMethod() + " " + h.getPath());
                }
            });
            cfg.routes.before(guard::check);
            cfg.routes.post("/v1/streams/{stream}/events", this::ingest);
            cfg.routes.get("/v1/views/{view}", this::query);
            cfg.routes.get("/v1/streams/{stream}/dead-letters", this::deadLetters);
            cfg.routes.get("/v1/status", this::status);
            cfg.routes.get("/v1/plan", ctx -> {
                QueryParams.only(ctx, List.of());
                json(ctx, PlanJson.of(tandem.plan()));
            });
            cfg.routes.get("/v1/batch", ctx -> json(ctx, BatchJson.runs(tandem)));
            cfg.routes.post("/v1/batch/run", this::runBatch);
            cfg.routes.get("/v1/reconciliation", ctx -> json(ctx, BatchJson.reconciliation(tandem.batchRuns())));
            String openApi = OpenApi.json();
            cfg.routes.get("/v1/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
            SqlRoutes.register(cfg.routes, tandem.sql(), options.maxBodyBytes());
            ReportRoutes.register(cfg.routes, tandem.reports());
            AlertRoutes.register(cfg.routes, tandem.alerts(), tandem.config().alerts(), streams);
            SearchRoutes.register(cfg.routes, tandem.search());
            AnalysisRoutes.register(cfg.routes, tandem.analyses(), streams);
            live.register(cfg.routes);
            DashboardRoutes.register(cfg, tandem.config(), tandem.plan());
            cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(tandem.metrics().scrape()));
            cfg.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx,
                    HttpStatus.forStatus(e.getStatus()), switch (e.getStatus()) {
                        case 404 -> "no such endpoint: " + ctx.method() + " " + ctx.path();
                        case 405 -> ctx.method() + " is not allowed on " + ctx.path() + " (it takes "
                                + e.getDetails().getOrDefault("availableMethods", "other methods") + ")";
                        default -> e.getMessage();
                    }));
            cfg.routes.exception(QueryException.class, (e, ctx) ->
                    error(ctx, e.notFound() ? HttpStatus.NOT_FOUND : HttpStatus.BAD_REQUEST, e.getMessage()));
            cfg.routes.exception(IngestException.class, (e, ctx) -> {
                if (e.kind() == IngestException.Kind.OVERLOADED) {
                    ctx.header("Retry-After", "1");
                }
                error(ctx, switch (e.kind()) {
                    case NOT_FOUND -> HttpStatus.NOT_FOUND;
                    case NO_EVENTS -> HttpStatus.BAD_REQUEST;
                    case KEY_REUSED -> HttpStatus.UNPROCESSABLE_CONTENT;
                    case OVERLOADED -> HttpStatus.SERVICE_UNAVAILABLE;
                    case OUT_OF_ORDER -> HttpStatus.CONFLICT;
                    case INSUFFICIENT_STORAGE -> HttpStatus.INSUFFICIENT_STORAGE;
                }, e.getMessage());
            });
            // Jetty gave up on a body that a handler was reading (ctx.body() of POST /v1/sql): too slow, too short
            cfg.routes.exception(HttpException.RuntimeException.class, (e, ctx) -> error(ctx,
                    HttpStatus.forStatus(e.getCode()), e.getCode() == HttpStatus.REQUEST_TIMEOUT.getCode() ? SLOW_BODY
                            : "the request body could not be read: " + e.getReason()));
            cfg.routes.exception(StoreUnavailableException.class, (e, ctx) -> {
                LOG.warn("{} {}: {}", ctx.method(), ctx.path(), e.getMessage());
                ctx.header("Retry-After", "1");
                error(ctx, HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
            });
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                try {
                    LOG.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
                    error(ctx, HttpStatus.INTERNAL_SERVER_ERROR, "internal error: " + e);
                } catch (RuntimeException recycled) {
                    // a stream that outlived the server: Jetty has already recycled its request and response
                    LOG.debug("request ended after the server stopped: {}", e.toString());
                }
            });
        });
    }

    /** Starts listening; {@link #port()} tells the port when 0 was asked for. */
    public static TandemServer start(Tandem tandem, ServerOptions options) {
        return start(tandem, options, null);
    }

    /**
     * As {@link #start(Tandem, ServerOptions)}, for a serving node: {@code POST /v1/batch/run} goes to the batch
     * node at {@code batchNode} (e.g. {@code http://127.0.0.1:7072}), and its answer comes back as it is.
     */
    public static TandemServer start(Tandem tandem, ServerOptions options, URI batchNode) {
        TandemServer server = new TandemServer(tandem, options, batchNode);
        server.app.start();
        return server;
    }

    /** The request threads running a request now. */
    int busyThreads() {
        return threads.getBusyThreads();
    }

    /** The server-sent event streams open now. */
    int openStreams() {
        return streams.open();
    }

    public int port() {
        return app.port();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:7070}. */
    /** Every route the server answers, as {@code METHOD /path} in registration order (dashboard files aside). */
    List<String> routes() {
        return List.copyOf(routes);
    }

    public String url() {
        return Listener.url(options, port());
    }

    @Override
    public void close() {
        streams.close();
        overview.close();
        app.stop();
        metrics.close();
    }

    /** Answers 406 unless the request accepts server-sent events (an EventSource does). */
    static void requireEventStream(Context ctx) {
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new ApiException(HttpStatus.NOT_ACCEPTABLE, "this is a stream of server-sent events: "
                    + "send Accept: text/event-stream (an EventSource does)");
        }
    }

    private void ingest(Context ctx) throws IOException {
        if (ingests.incrementAndGet() > MAX_INGESTS_IN_PROGRESS) {
            ingests.decrementAndGet();
            refuseBody(ctx);
            throw new IngestException(IngestException.Kind.OVERLOADED, "ingest is at capacity: "
                    + MAX_INGESTS_IN_PROGRESS + " requests are in progress; retry after the Retry-After seconds");
        }
        try {
            ingestWithin(ctx);
        } finally {
            ingests.decrementAndGet();
        }
    }

    private void ingestWithin(Context ctx) throws IOException {
        String type = ctx.contentType();
        if (type != null) {
            String base = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (!INGEST_TYPES.contains(base)) {
                throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type '" + type
                        + "' is not supported; send application/x-ndjson (one JSON object per line) or "
                        + "application/json");
            }
        }
        String client = ctx.ip();
        int[] inProgress = new int[1];
        uploads.compute(client, (c, n) -> {
            AtomicInteger count = n == null ? new AtomicInteger() : n;
            inProgress[0] = count.incrementAndGet();
            return count;
        });
        if (inProgress[0] > MAX_UPLOADS_PER_CLIENT) {
            release(client);
            refuseBody(ctx);
            ctx.header("Retry-After", "1");
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, MAX_UPLOADS_PER_CLIENT + " ingest requests of "
                    + client + " are in progress, as many as one client may have; send the next when one has ended");
        }
        byte[] body;
        try {
            body = readBody(ctx, options.maxBodyBytes());
        } finally {
            release(client);
        }
        if (body.length == 0) {
            throw new ApiException(HttpStatus.BAD_REQUEST,
                    "empty body: send one JSON object per line, or a JSON array");
        }
        String key = ctx.header("Idempotency-Key");
        if (key != null && (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY)) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "Idempotency-Key: expected 1 to " + MAX_IDEMPOTENCY_KEY
                    + " characters, got " + key.length());
        }
        String ordered = ctx.header(SEQUENCE_HEADER);
        Sequence sequence = null;
        if (ordered != null) {
            try {
                sequence = Sequence.parse(ordered);
            } catch (IllegalArgumentException e) {
                throw new ApiException(HttpStatus.BAD_REQUEST, SEQUENCE_HEADER + ": " + e.getMessage());
            }
        }
        IngestResponse r = tandem.ingest(ctx.pathParam("stream"), body, key, sequence);
        if (r.accepted() > 0) {
            ctx.status(HttpStatus.OK).contentType("application/json").result(r.json());
            return;
        }
        // nothing taken: the counts and the records' errors, and the error every 4xx carries, at the first record
        ObjectNode answer = (ObjectNode) JSON.readTree(r.json());
        if (r.errors().isEmpty()) {
            errorNode(answer, 400, "none of the " + r.rejected() + " records was accepted");
        } else {
            IngestResponse.RecordError first = r.errors().get(0);
            ObjectNode error = errorNode(answer, 400, "none of the " + r.rejected() + " records was accepted; "
                    + first.position() + " " + first.at() + ": " + first.error());
            if (first.position().equals("line")) {
                error.put("line", first.at());
            } else {
                error.put("path", "[" + first.at() + "]");
            }
        }
        ctx.status(HttpStatus.BAD_REQUEST);
        json(ctx, answer);
    }

    /** Ends one of a client's uploads; forgets the client when it has none left. */
    private void release(String client) {
        uploads.computeIfPresent(client, (c, n) -> n.decrementAndGet() == 0 ? null : n);
    }

    /** The newest records of the stream that the hot path could not take, newest first. */
    private void deadLetters(Context ctx) {
        String stream = ctx.pathParam("stream");
        if (!tandem.config().streams().containsKey(stream)) {
            throw new ApiException(HttpStatus.NOT_FOUND, "unknown stream '" + stream + "' (streams: "
                    + String.join(", ", tandem.config().streams().keySet()) + ")");
        }
        String given = ctx.queryParam("limit");
        int limit = 100;
        if (given != null) {
            if (!given.matches("\\d{1,4}") || Integer.parseInt(given) < 1
                    || Integer.parseInt(given) > DeadLetters.KEPT) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "limit: expected 1 to " + DeadLetters.KEPT + ", got \""
                        + given + "\"");
            }
            limit = Integer.parseInt(given);
        }
        DeadLetters.Page page = tandem.deadLetters().newest(stream, limit);
        ObjectNode root = JSON.createObjectNode();
        root.put("stream", stream);
        root.put("on_bad_event", tandem.config().streams().get(stream).onBadEvent().configName());
        root.put("count", page.count());
        ArrayNode list = root.putArray("dead_letters");
        for (DeadLetters.Letter l : page.letters()) {
            list.addObject().put("partition", l.partition()).put("offset", l.offset())
                    .put("arrival", Timestamps.format(l.arrivalMs())).put("reason", l.reason())
                    .put("record", java.util.Base64.getEncoder().encodeToString(l.record()));
        }
        json(ctx, root);
    }

    /**
     * The request body, up to {@code limit} bytes (413 beyond). A body must keep coming: past a grace of
     * {@value #BODY_GRACE_MS} ms spent waiting for it, it must arrive at {@value #MIN_BODY_BYTES_PER_SECOND} bytes/s
     * or faster, and it may not stop for {@value #BODY_IDLE_MS} ms (408 otherwise). Only the time spent waiting for
     * the client counts, so a busy server never blames a client for its own slowness.
     */
    static byte[] readBody(Context ctx, long limit) {
        long declared = ctx.req().getContentLengthLong();
        try (InputStream in = ctx.req().getInputStream()) {
            if (declared > limit) {
                drain(in, 8 * limit);
                throw tooLarge(declared, limit);
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8_192);
            byte[] buf = new byte[1 << 16];
            long waitedNanos = 0;
            for (;;) {
                long before = System.nanoTime();
                int n = in.read(buf);
                waitedNanos += System.nanoTime() - before;
                if (n < 0) {
                    return body.toByteArray();
                }
                body.write(buf, 0, n);
                if (body.size() > limit) {
                    drain(in, 8 * limit);
                    throw tooLarge(declared, limit);
                }
                long waitedMs = waitedNanos / 1_000_000 - BODY_GRACE_MS;
                if (waitedMs > 0 && body.size() < MIN_BODY_BYTES_PER_SECOND * waitedMs / 1_000) {
                    throw new IOException(body.size() + " bytes in " + waitedNanos / 1_000_000 + " ms of waiting");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            // the client went away, or sent its body slower than the server waits for: nothing was taken
            LOG.info("{} {}: dropped the request of {}: its body stopped coming ({})", ctx.method(), ctx.path(),
                    ctx.ip(), e.toString());
            throw new ApiException(HttpStatus.REQUEST_TIMEOUT, SLOW_BODY);
        }
    }

    /**
     * Reads and drops the body of a request refused before reading it (up to the body limit), so that the client,
     * still sending it, reads the refusal rather than a reset connection.
     */
    private void refuseBody(Context ctx) {
        try {
            drain(ctx.req().getInputStream(), options.maxBodyBytes());
        } catch (IOException clientGone) {
            LOG.debug("dropping a refused body: {}", clientGone.toString());
        }
    }

    /** Reads what a client is still sending, up to a bound, so that it gets the 413 rather than a reset. */
    private static void drain(InputStream in, long bound) {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        try {
            for (int n = in.read(buf); n > 0 && total < bound; n = in.read(buf)) {
                total += n;
            }
        } catch (IOException clientGoneOrTooMuch) {
            LOG.debug("stopped reading an oversized body: {}", clientGoneOrTooMuch.toString());
        }
    }

    private static ApiException tooLarge(long size, long limit) {
        return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "body " + (size > 0 ? "of " + size + " bytes " : "")
                + "exceeds the limit of " + limit + " bytes; split it into several requests");
    }

    private void query(Context ctx) {
        Map<String, String> dims = new LinkedHashMap<>();
        ctx.queryParamMap().forEach((k, v) -> {
            if (!QUERY_PARAMS.contains(k)) {
                if (v.size() != 1) {
                    throw new ApiException(HttpStatus.BAD_REQUEST, k + ": given " + v.size() + " times, expected once");
                }
                dims.put(k, v.get(0));
            }
        });
        long from = time(ctx, "from");
        long to = time(ctx, "to");
        String g = ctx.queryParam("granularity");
        long granularity = 0;
        if (g != null) {
            try {
                granularity = Durations.parse(g);
            } catch (IllegalArgumentException e) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "granularity: " + e.getMessage());
            }
            if (granularity <= 0) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "granularity: expected a positive multiple of the "
                        + "view's granularity, got \"" + g + "\"");
            }
        }
        QueryResult result = tandem.query(new ViewQuery(ctx.pathParam("view"), from, to, granularity, dims));
        ObjectNode body = queryJson(result);
        Placement path = tandem.plan().decision(WorkloadKind.VIEW, result.view()).orElseThrow().path();
        body.put("path", path.configName());
        if (path == Placement.COLD) {
            // the answer holds the events that arrived up to the boundary's end; later ones wait for a batch run
            Long until = result.boundary().untilMs();
            body.put("stale_seconds", until == null ? null : Math.max(0, tandem.now() - until) / 1000.0);
        }
        json(ctx, body);
    }

    private void runBatch(Context ctx) {
        boolean full = flag(ctx, "full");
        boolean wait = flag(ctx, "wait");
        if (batchNode != null) {
            forwardToBatchNode(ctx);
            return;
        }
        CompletableFuture<BatchRun> run = tandem.runBatch(full);
        if (!wait) {
            ObjectNode queued = JSON.createObjectNode();
            queued.put("status", "queued");
            queued.put("full", full);
            ctx.status(HttpStatus.ACCEPTED);
            json(ctx, queued);
            return;
        }
        json(ctx, BatchJson.run(run.join()));
    }

    /** Asks the batch node for the run and answers what it answered. */
    private void forwardToBatchNode(Context ctx) {
        String query = ctx.queryString() == null ? "" : "?" + ctx.queryString();
        HttpRequest.Builder request = HttpRequest.newBuilder(batchNode.resolve("/v1/batch/run" + query))
                .timeout(Duration.ofMinutes(30)).POST(HttpRequest.BodyPublishers.noBody());
        String auth = ctx.header("Authorization");
        if (auth != null) {
            request.header("Authorization", auth);
        }
        try {
            HttpResponse<String> answer = forwarder.send(request.build(), HttpResponse.BodyHandlers.ofString());
            ctx.status(answer.statusCode()).contentType("application/json").result(answer.body());
        } catch (IOException e) {
            ctx.header("Retry-After", "5");
            error(ctx, HttpStatus.SERVICE_UNAVAILABLE, "batch runs run on the batch node at " + batchNode
                    + ", which does not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(ctx, HttpStatus.SERVICE_UNAVAILABLE, "interrupted while asking the batch node at " + batchNode);
        }
    }

    private static boolean flag(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.equals("false")) {
            return false;
        }
        if (v.equals("true")) {
            return true;
        }
        throw new ApiException(HttpStatus.BAD_REQUEST, name + ": expected true or false, got \"" + v + "\"");
    }

    private static long time(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null) {
            throw new ApiException(HttpStatus.BAD_REQUEST, name + ": required (ISO-8601 like 2026-11-26T10:00:00Z, "
                    + "or epoch milliseconds)");
        }
        try {
            return Timestamps.parse(v);
        } catch (IllegalArgumentException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, name + ": " + e.getMessage());
        }
    }

    static ObjectNode queryJson(QueryResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("view", result.view());
        root.put("granularity", Durations.format(result.granularityMs()));
        ObjectNode boundary = root.putObject("boundary");
        QueryResult.Boundary b = result.boundary();
        boundary.putPOJO("epoch", b.epoch());
        boundary.put("until", b.untilMs() == null ? null : Timestamps.format(b.untilMs()));
        boundary.put("version", b.version());
        ArrayNode rows = root.putArray("rows");
        List<String> dims = result.dimensions();
        List<String> measures = result.measures();
        for (QueryResult.Row row : result.rows()) {
            putRow(rows.addObject(), dims, measures, row);
        }
        return root;
    }

    /**
     * One row as queries and live views write it: {@code {"bucket", DIM..., MEASURE..., "source"}}. A measure is a
     * JSON number (an exact sum beyond the long range too), or null when no event had its field or when it is not a
     * finite double (a double sum, mean or variance out of the double range).
     */
    static void putRow(ObjectNode r, List<String> dims, List<String> measures, QueryResult.Row row) {
        r.put("bucket", Timestamps.format(row.bucket()));
        for (int i = 0; i < dims.size(); i++) {
            r.putPOJO(dims.get(i), row.dims().get(i));
        }
        for (int i = 0; i < measures.size(); i++) {
            r.putPOJO(measures.get(i), JsonValues.finite(row.values()[i]));
        }
        r.put("source", row.source());
    }

    private void status(Context ctx) {
        Status s = tandem.status();
        ObjectNode root = JSON.createObjectNode();
        root.put("uptime_seconds", s.uptimeMs() / 1000.0);
        root.put("realtime_store_entries", s.storeEntries());
        if (s.storeError() != null) {
            root.put("realtime_store_error", s.storeError());
        }
        ObjectNode streams = root.putObject("streams");
        s.streams().forEach((name, st) -> {
            ObjectNode n = streams.putObject(name);
            n.put("accepted", st.accepted());
            n.put("rejected", st.rejected());
            n.putPOJO("log_end_offsets", st.logEndOffsets());
            n.put("hot_path_lag", st.lag().stream().mapToLong(Long::longValue).sum());
            n.putPOJO("hot_path_lag_by_partition", st.lag());
            n.put("watermark", st.watermarkMs() == null ? null : Timestamps.format(st.watermarkMs()));
            if (!st.failures().isEmpty()) {
                ObjectNode failures = n.putObject("hot_path_failures");
                st.failures().forEach((p, why) -> failures.put(Integer.toString(p), why));
            }
            if (!st.lostOffsets().isEmpty()) {
                ObjectNode lost = n.putObject("log_lost_offsets");
                st.lostOffsets().forEach((p, ranges) -> lost.putPOJO(Integer.toString(p), ranges));
            }
        });
        root.set("overview", overview.json(s));
        json(ctx, root);
    }

    private static void json(Context ctx, ObjectNode node) {
        ctx.contentType("application/json").result(node.toString());
    }

    /**
     * Answers an error in the one shape of every error of the API:
     * {@code {"error": {"code": "bad_request", "message": "...", "param": "from"}}}. {@code code} follows the status
     * ({@link #code}); {@code param} is the query parameter, header or path parameter the message is about, when it
     * names one the request has (a message starting {@code from: }, or quoting a path parameter's value).
     */
    static void error(Context ctx, HttpStatus status, String message) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = errorNode(body, status.getCode(), message);
        String param = param(ctx, message);
        if (param != null) {
            error.put("param", param);
        }
        ctx.status(status);
        json(ctx, body);
    }

    /** Puts {@code "error": {"code", "message"}} into {@code body} and returns the error object. */
    static ObjectNode errorNode(ObjectNode body, int status, String message) {
        ObjectNode error = body.putObject("error");
        error.put("code", code(status));
        error.put("message", message);
        return error;
    }

    /** The error code of a status: its reason phrase in snake case ({@code 404} is {@code not_found}). */
    static String code(int status) {
        return switch (status) {
            case 413 -> "payload_too_large";
            case 422 -> "unprocessable";
            case 503 -> "unavailable";
            default -> HttpStatus.forStatus(status).getMessage().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_")
                    .replaceAll("^_|_$", "");
        };
    }

    private static String param(Context ctx, String message) {
        int colon = message.indexOf(": ");
        String head = colon > 0 ? message.substring(0, colon) : null;
        if (head != null && (ctx.queryParamMap().containsKey(head) || ctx.header(head) != null)) {
            return head;
        }
        for (Map.Entry<String, String> p : ctx.pathParamMap().entrySet()) {
            if (message.contains("'" + p.getValue() + "'")) {
                return p.getKey();
            }
        }
        return null;
    }

    /**
     * Answers what Jetty refuses before any route sees it (a malformed request line, a URI or headers beyond its
     * limits, an illegal path character) in the API's error shape with Jetty's reason, not as an HTML page. An
     * HTTP version Jetty does not speak is the client's mistake too: 400, not 505.
     */
    static final class JsonErrors extends ErrorHandler {

        @Override
        protected void generateResponse(Request request, Response response, int code, String message,
                                        Throwable cause, Callback callback) {
            if (code == HttpStatus.HTTP_VERSION_NOT_SUPPORTED.getCode()) {
                response.setStatus(HttpStatus.BAD_REQUEST.getCode());
            }
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, body(code, message), callback);
        }

        private static ByteBuffer body(int code, String message) {
            ObjectNode body = JSON.createObjectNode();
            int status = code == HttpStatus.HTTP_VERSION_NOT_SUPPORTED.getCode() ? HttpStatus.BAD_REQUEST.getCode()
                    : code;
            errorNode(body, status, "the request was refused before it reached the API: " + (message == null
                    ? HttpStatus.forStatus(code).getMessage() : message));
            return ByteBuffer.wrap(body.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A request the caller got wrong, with the status to answer. */
    static final class ApiException extends RuntimeException {
        final HttpStatus status;

        ApiException(HttpStatus status, String message) {
            super(message);
            this.status = status;
        }
    }
}
