package io.tandem.engine.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.tandem.core.AnalysisDef;
import io.tandem.core.GroupKey;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.ViewDef;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.EngineMetrics;
import io.tandem.engine.batchview.ParquetBatchViewStore;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.engine.durable.Durable;
import io.tandem.engine.feed.Feed;
import io.tandem.engine.hot.ClosingBuckets;
import io.tandem.engine.hot.Handover;
import io.tandem.engine.hot.HotPathListener;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.QueryService;
import io.tandem.engine.query.ViewQuery;
import io.tandem.spi.batch.BatchVersion;
import io.tandem.spi.store.StateKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The analyses of a config ({@link AnalysisDef}): anomaly scores for each closed bucket of a view's measure, per
 * group, in two passes.
 *
 * <p><b>Quick pass.</b> The hot path's commits hand the changed groups of analysed views and the stream's
 * watermark to the analysis thread (a bounded queue, as for alerts: a full queue drops the hand-over and counts it
 * in {@code tandem.analysis.dropped}). A bucket closes as for alert rules {@code on: close} ({@link ClosingBuckets});
 * the thread reads each group's merged value, scores it with that group's streaming model ({@link QuickModel}), and
 * publishes a {@code quick} result. {@code elapsed_ms} counts from the commit that closed the bucket.
 *
 * <p><b>Deep pass.</b> A result graded anomalous goes to a pool of {@value #DEEP_THREADS} workers with a queue of
 * {@value #DEEP_QUEUE}; when that is full the request waits in a backlog that the workers drain, and
 * {@code tandem.analysis.deep.queue.full} counts it. A worker reads the group's last {@value #HISTORY_DAYS} days
 * ({@link History}), judges the value ({@link DeepScorer}) and publishes a {@code deep} update with the same id.
 * At start, the anomalous results without a deep pass (a crash, a backlog) are queued again.
 *
 * <p><b>Restarts.</b> Each group's model and the last bucket it learned are checkpointed to
 * {@code models.json.gz} (format below) by {@link #checkpoint()}, which Tandem calls right after the real-time
 * store's checkpoint: the models are never older than the store, so the buckets a replay closes again are ones the
 * model may have learned, and a bucket at or before a group's last learned one is never learned again. At start the
 * thread also looks at the views for buckets newer than each group's last learned one (commits whose hand-over was
 * still queued at the checkpoint) and closes them when the watermark has passed. Results have deterministic ids and
 * are not published twice.
 * <pre>
 * models.json.gz: gzip of {"analyses": {NAME: [{"dims": [V...], "state": {"lastBucket": MS, "points": N,
 *                 "forest": ThresholdedRandomCutForestState}}]}}, written atomically (temp, fsync, rename)
 * </pre>
 */
public final class Analyses implements HotPathListener, AutoCloseable {

    public static final int QUEUE_CAPACITY = 65_536;
    public static final int DEEP_THREADS = 2;
    public static final int DEEP_QUEUE = 16;
    public static final int HISTORY_DAYS = 7;
    public static final int NEW_GROUP_HOURS = 1;

    private static final Logger LOG = LoggerFactory.getLogger(Analyses.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Object SEED = new Object();

    private final Map<String, AnalysisDef> defs;
    private final Map<String, ViewDef> views;
    private final Map<String, List<Compiled>> byView = new HashMap<>();
    private final Set<String> streams;
    private final QueryService queries;
    private final History history;
    private final LongSupplier clock;
    private final ToLongFunction<String> watermark;
    private final Path modelFile;
    private final AnalysisResults results;
    private final Map<String, AtomicLong> handedWatermark = new HashMap<>();
    private final ClosingBuckets closing;
    private final Handover handover;
    private final ThreadPoolExecutor deep;
    private final ArrayDeque<AnalysisResult> backlog = new ArrayDeque<>();
    private final Timer quickLatency;
    private final Timer deepLatency;
    private final Counter dropped;
    private final Counter queueFull;
    private final Counter skipped;
    private final Counter deepFailed;

    /** Guards the models: the analysis thread learns, {@link #checkpoint()} reads. */
    private final Object modelLock = new Object();
    private final Map<String, Map<GroupKey, QuickModel>> models = new HashMap<>();
    private boolean dirty;
    private volatile boolean closed;

    /** An analysis with the positions of its measure and dimensions in the view. */
    private record Compiled(AnalysisDef def, ViewDef view, int measure, int[] dims) {
    }

    /** The groups a commit changed in analysed views, the stream's watermark after it, and when it was handed. */
    private record Commit(String stream, List<StateKey> changed, long watermark, long handedAt) {
    }

    /**
     * Loads the models and results from {@code dir}; {@link #start()} starts the analysis thread.
     *
     * @param batchVersion the batch version queries merge with now, whose Parquet files the deep pass reads
     * @param watermark a stream's current watermark, read once by {@link #start()}
     */
    public Analyses(TandemConfig config, Path dir, EngineMetrics metrics, LongSupplier clock, QueryService queries,
                    ParquetBatchViewStore batchViews, Supplier<BatchVersion> batchVersion,
                    ToLongFunction<String> watermark, DuckDb duckdb) {
        this.defs = config.analyses();
        this.views = config.views();
        this.queries = queries;
        this.history = new History(queries, batchViews, batchVersion, duckdb);
        this.clock = clock;
        this.watermark = watermark;
        for (AnalysisDef def : defs.values()) {
            ViewDef view = views.get(def.view());
            List<String> measures = List.copyOf(view.measures().keySet());
            int[] dims = def.forEach().stream().mapToInt(view.groupBy()::indexOf).toArray();
            byView.computeIfAbsent(view.name(), v -> new ArrayList<>())
                    .add(new Compiled(def, view, measures.indexOf(def.measure()), dims));
            models.put(def.name(), new HashMap<>());
        }
        this.streams = byView.keySet().stream().map(v -> views.get(v).from())
                .collect(Collectors.toSet());
        streams.forEach(s -> handedWatermark.put(s, new AtomicLong(Long.MIN_VALUE)));
        this.closing = new ClosingBuckets(views);
        this.modelFile = dir.resolve("models.json.gz");
        loadModels();
        this.results = new AnalysisResults(dir.resolve("results.jsonl"), AnalysisResults.WINDOW);
        var registry = metrics.registry();
        this.quickLatency = latency("tandem.analysis.quick.latency", "From a bucket's close to its quick result",
                metrics);
        this.deepLatency = latency("tandem.analysis.deep.latency", "From a bucket's close to its deep result",
                metrics);
        this.dropped = Counter.builder("tandem.analysis.dropped")
                .description("Hand-overs from the hot path to the analysis thread dropped because its queue was full")
                .register(registry);
        this.queueFull = Counter.builder("tandem.analysis.deep.queue.full")
                .description("Deep passes that found the workers' queue full and waited in the backlog")
                .register(registry);
        this.skipped = Counter.builder("tandem.analysis.skipped")
                .description("Closed buckets not scored because the measure had no value")
                .register(registry);
        this.deepFailed = Counter.builder("tandem.analysis.deep.failed")
                .description("Deep passes that failed (logged); the quick result stands")
                .register(registry);
        this.deep = new ThreadPoolExecutor(DEEP_THREADS, DEEP_THREADS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(DEEP_QUEUE), r -> {
                    Thread t = new Thread(r, "tandem-analysis-deep");
                    t.setDaemon(true);
                    return t;
                });
        metrics.gauge("tandem.analysis.deep.queue.depth", "Deep passes waiting for a worker", Map.of(), this,
                a -> a.deep.getQueue().size());
        metrics.gauge("tandem.analysis.deep.backlog", "Deep passes waiting for room in the workers' queue",
                Map.of(), this, a -> a.backlogSize());
        this.handover = new Handover("tandem-analyses", QUEUE_CAPACITY, this::process);
    }

    /**
     * Starts the analysis thread, once the hot path runs: it first closes what the real-time store holds that the
     * models have not learned, and the anomalous results without a deep pass are queued again.
     */
    public void start() {
        handover.offer(SEED);
        handover.start();
        results.awaitingDeep().forEach(this::submitDeep);
    }

    private static Timer latency(String name, String description, EngineMetrics metrics) {
        return Timer.builder(name).description(description)
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(metrics.registry());
    }

    // ---- on the hot path -------------------------------------------------------------------------------------

    @Override
    public void onCommit(StreamDef stream, int partition, Set<StateKey> changed, long wm) {
        AtomicLong handed = handedWatermark.get(stream.name());
        if (handed == null || closed) {
            return;
        }
        List<StateKey> keys = new ArrayList<>();
        for (StateKey k : changed) {
            if (byView.containsKey(k.view())) {
                keys.add(k);
            }
        }
        boolean advanced = wm > handed.getAndAccumulate(wm, Math::max);
        if (!keys.isEmpty() || advanced) {
            if (!handover.offer(new Commit(stream.name(), keys, wm, clock.getAsLong()))) {
                dropped.increment();
            }
        }
    }

    // ---- on the analysis thread ------------------------------------------------------------------------------

    private void process(List<Object> tasks) {
        long closedAt = Long.MAX_VALUE;
        for (Object task : tasks) {
            if (task == SEED) {
                seed();
                closedAt = Math.min(closedAt, clock.getAsLong());
            } else if (task instanceof Commit c) {
                for (StateKey k : c.changed) {
                    closing.changed(k.view(), k.dims(), k.bucket());
                }
                if (closing.watermark(c.stream, c.watermark)) {
                    closedAt = Math.min(closedAt, c.handedAt);
                }
            }
        }
        long at = closedAt == Long.MAX_VALUE ? clock.getAsLong() : closedAt;
        List<AnalysisResult> out = new ArrayList<>();
        closing.poll((view, bucket, groups) -> {
            for (Compiled a : byView.get(view.name())) {
                score(a, bucket, groups, at, out);
            }
        });
        if (out.isEmpty()) {
            return;
        }
        results.publish(out);
        long now = clock.getAsLong();
        for (AnalysisResult r : out) {
            quickLatency.record(Math.max(0, now - r.closedAt()), TimeUnit.MILLISECONDS);
            if (r.anomalous()) {
                submitDeep(r);
            }
        }
    }

    /**
     * The buckets of the analysed views that a group's model has not learned (commits whose hand-over was still
     * queued at the last checkpoint, whether a batch run has since taken them or not), and the watermarks now. A
     * group without a model starts from the bucket holding the time {@value #NEW_GROUP_HOURS} hour(s) before the
     * watermark.
     */
    private void seed() {
        for (Map.Entry<String, List<Compiled>> e : byView.entrySet()) {
            ViewDef view = views.get(e.getKey());
            long wm = watermark.applyAsLong(view.from());
            // a bucket the hour begins in counts: when the seed already sees what the commits queued behind it
            // made, it learns the buckets after that one first, and the commit's close of it would come too late
            long hourAgo = wm - Duration.ofHours(NEW_GROUP_HOURS).toMillis();
            long newFrom = wm == Long.MIN_VALUE ? Long.MIN_VALUE
                    : Math.floorDiv(hourAgo, view.granularityMs()) * view.granularityMs();
            QueryResult all = queries.query(new ViewQuery(view.name(), Long.MIN_VALUE, Long.MAX_VALUE, 0, Map.of()));
            for (QueryResult.Row r : all.rows()) {
                for (Compiled a : e.getValue()) {
                    QuickModel m = model(a, project(a, r.dims()), false);
                    if (m == null ? r.bucket() >= newFrom : r.bucket() > m.lastBucket()) {
                        closing.changed(view.name(), r.dims(), r.bucket());
                    }
                }
            }
        }
        for (String s : streams) {
            closing.watermark(s, watermark.applyAsLong(s));
        }
    }

    private void score(Compiled a, long bucket, Set<GroupKey> groups, long closedAt, List<AnalysisResult> out) {
        Map<GroupKey, Double> values = new LinkedHashMap<>();
        for (GroupKey dims : groups) {
            QueryResult.Row row = queries.row(a.view.name(), dims, bucket);
            Object v = row == null ? null : row.values()[a.measure];
            if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
                values.merge(project(a, dims), n.doubleValue(), Double::sum);
            } else {
                skipped.increment();
            }
        }
        values.forEach((key, value) -> {
            QuickModel.Score s;
            synchronized (modelLock) {
                s = model(a, key, true).learn(bucket, Math.floorDiv(bucket, a.view.granularityMs()), value);
                dirty |= s != null;
            }
            if (s == null) {
                return;
            }
            Map<String, Object> dims = dims(a, key);
            String id = AnalysisResult.id(a.def.name(), dims, bucket);
            if (!results.published(id, AnalysisResult.QUICK)) {
                out.add(new AnalysisResult(id, a.def.name(), dims, bucket, AnalysisResult.QUICK, s.score(),
                        s.grade(), QuickModel.NAME, value, closedAt, clock.getAsLong(), null));
            }
        });
    }

    private QuickModel model(Compiled a, GroupKey key, boolean create) {
        synchronized (modelLock) {
            Map<GroupKey, QuickModel> m = models.get(a.def.name());
            return create ? m.computeIfAbsent(key, k -> QuickModel.create(Objects.hash(a.def.name(), k)))
                    : m.get(key);
        }
    }

    private static GroupKey project(Compiled a, GroupKey dims) {
        Object[] v = new Object[a.dims.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = dims.get(a.dims[i]);
        }
        return GroupKey.of(v);
    }

    private static Map<String, Object> dims(Compiled a, GroupKey key) {
        Map<String, Object> dims = new LinkedHashMap<>();
        for (int i = 0; i < a.def.forEach().size(); i++) {
            dims.put(a.def.forEach().get(i), key.get(i));
        }
        return dims;
    }

    // ---- the deep pass ---------------------------------------------------------------------------------------

    private void submitDeep(AnalysisResult quick) {
        synchronized (backlog) {
            if (!backlog.isEmpty()) {
                backlog.addLast(quick);
                queueFull.increment();
                return;
            }
            try {
                deep.execute(() -> deepPass(quick));
            } catch (RejectedExecutionException e) {
                if (!deep.isShutdown()) {
                    backlog.addLast(quick);
                    queueFull.increment();
                }
            }
        }
    }

    /** Moves what waits in the backlog to the workers' queue while it has room. */
    private void drainBacklog() {
        synchronized (backlog) {
            while (!backlog.isEmpty() && !deep.isShutdown()) {
                AnalysisResult next = backlog.peekFirst();
                try {
                    deep.execute(() -> deepPass(next));
                    backlog.removeFirst();
                } catch (RejectedExecutionException e) {
                    return;
                }
            }
        }
    }

    private int backlogSize() {
        synchronized (backlog) {
            return backlog.size();
        }
    }

    private void deepPass(AnalysisResult quick) {
        try {
            if (!results.published(quick.id(), AnalysisResult.DEEP)) {
                AnalysisResult d = judge(quick);
                results.publish(List.of(d));
                deepLatency.record(d.elapsedMs(), TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            deepFailed.increment();
            LOG.error("deep pass of {} {} {} failed; the quick result stands", quick.analysis(), quick.dims(),
                    Timestamps.format(quick.bucket()), e);
        } finally {
            drainBacklog();
        }
    }

    private AnalysisResult judge(AnalysisResult quick) {
        AnalysisDef def = defs.get(quick.analysis());
        ViewDef view = views.get(def.view());
        long from = quick.bucket() - Duration.ofDays(HISTORY_DAYS).toMillis();
        List<DeepScorer.Point> past = history.read(def, view, quick.dims(), from, quick.bucket());
        DeepScorer.Verdict v = DeepScorer.judge(past, new DeepScorer.Point(quick.bucket(), quick.value()),
                Objects.hash(quick.id()));
        ObjectNode e = JSON.createObjectNode();
        e.put("measure", def.measure());
        e.put("value", quick.value());
        e.put("expected", finite(v.baseline().expected()));
        ObjectNode range = e.putObject("range");
        range.put("low", finite(v.low()));
        range.put("high", finite(v.high()));
        e.put("robust_z", finite(v.z()));
        e.put("baseline", v.baseline().points() == 0 ? "none" : v.baseline().kind());
        e.put("baseline_points", v.baseline().points());
        e.put("history_points", past.size());
        e.put("forest_score", v.forestScore());
        e.put("forest_grade", v.forestGrade());
        ArrayNode recent = e.putArray("recent");
        for (int i = 0; i < v.recent().size(); i++) {
            DeepScorer.Point p = v.recent().get(i);
            ArrayNode point = recent.addArray();
            point.add(p.bucket());
            point.add(p.value());
            point.add(finite(v.recentExpected().get(i)));
        }
        return new AnalysisResult(quick.id(), quick.analysis(), quick.dims(), quick.bucket(), AnalysisResult.DEEP,
                v.score(), v.grade(), DeepScorer.MODEL, quick.value(), quick.closedAt(), clock.getAsLong(), e);
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    // ---- checkpoints -----------------------------------------------------------------------------------------

    /**
     * Writes the models atomically when they learned something since the last checkpoint. The analysis thread waits
     * only while the forests' state objects are taken; they are serialised after.
     */
    public void checkpoint() {
        Map<String, Map<GroupKey, QuickModel.State>> states = new LinkedHashMap<>();
        synchronized (modelLock) {
            if (!dirty) {
                return;
            }
            models.forEach((name, groups) -> {
                Map<GroupKey, QuickModel.State> s = new LinkedHashMap<>();
                groups.forEach((key, model) -> s.put(key, model.state()));
                states.put(name, s);
            });
            dirty = false;
        }
        try {
            ObjectNode root = JSON.createObjectNode();
            ObjectNode all = root.putObject("analyses");
            states.forEach((name, groups) -> {
                ArrayNode list = all.putArray(name);
                groups.forEach((key, state) -> {
                    ObjectNode g = list.addObject();
                    ArrayNode dims = g.putArray("dims");
                    for (int i = 0; i < key.size(); i++) {
                        dims.addPOJO(key.get(i));
                    }
                    g.set("state", JSON.valueToTree(state));
                });
            });
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(buf) {
                {
                    def.setLevel(Deflater.BEST_SPEED);
                }
            }) {
                JSON.writeValue(gz, root);
            }
            Durable.createDirectory(modelFile.getParent());
            Durable.write(modelFile, buf.toByteArray());
        } catch (IOException | RuntimeException e) {
            synchronized (modelLock) {
                dirty = true;
            }
            throw new IllegalStateException("cannot write " + modelFile, e);
        }
    }

    private void loadModels() {
        if (!Files.exists(modelFile)) {
            return;
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(modelFile)))) {
            JsonNode root = JSON.readTree(in);
            root.get("analyses").fields().forEachRemaining(e -> {
                Map<GroupKey, QuickModel> groups = models.get(e.getKey());
                if (groups == null) {
                    LOG.info("{}: analysis '{}' is no longer configured; its models are dropped", modelFile,
                            e.getKey());
                    return;
                }
                for (JsonNode g : e.getValue()) {
                    Object[] dims = new Object[g.get("dims").size()];
                    for (int i = 0; i < dims.length; i++) {
                        JsonNode d = g.get("dims").get(i);
                        dims[i] = d.isNull() ? null : d.isIntegralNumber() ? (Object) d.asLong()
                                : d.isNumber() ? (Object) d.asDouble() : d.isBoolean() ? (Object) d.asBoolean()
                                : d.asText();
                    }
                    QuickModel.State state = JSON.convertValue(g.get("state"), QuickModel.State.class);
                    groups.put(GroupKey.of(dims), QuickModel.fromState(state));
                }
            });
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the analysis models in " + modelFile, e);
        }
    }

    // ---- reading ---------------------------------------------------------------------------------------------

    /** The configured analyses. */
    public Map<String, AnalysisDef> definitions() {
        return defs;
    }

    /**
     * The results of buckets in {@code [fromMs, toMs)}, of one analysis or all when {@code analysis} is null, only
     * the anomalous ones (either pass graded it) when asked, oldest first; at most {@code limit}, the newest ones.
     */
    public List<AnalysisEntry> list(long fromMs, long toMs, String analysis, boolean anomalousOnly, int limit) {
        return results.list(e -> e.quick().bucket() >= fromMs && e.quick().bucket() < toMs
                && (analysis == null || analysis.equals(e.quick().analysis()))
                && (!anomalousOnly || e.quick().anomalous() || (e.deep() != null && e.deep().anomalous())), limit);
    }

    /** Both passes of one result. */
    public Optional<AnalysisEntry> get(String id) {
        return results.get(id);
    }

    /**
     * A live feed of the results published from now on (quick results and deep updates), preceded by those
     * published after the event {@code lastEventId} ({@link AnalysisResult#eventId()}) when it is recent.
     */
    public Feed<AnalysisResult> subscribe(String lastEventId, int capacity) {
        return results.subscribe(lastEventId, capacity);
    }

    /** How many bucket values a group's quick model has learned; empty when it has none. */
    public OptionalLong pointsLearned(String analysis, GroupKey forEachDims) {
        synchronized (modelLock) {
            QuickModel m = models.getOrDefault(analysis, Map.of()).get(forEachDims);
            return m == null ? OptionalLong.empty() : OptionalLong.of(m.points());
        }
    }

    /** The deep pass's workload now. */
    public record Status(int deepRunning, int deepQueued, int deepBacklog, long deepQueueFullTotal,
                         long deepFailedTotal, long droppedTotal, long groups) {
    }

    public Status status() {
        long groups;
        synchronized (modelLock) {
            groups = models.values().stream().mapToLong(Map::size).sum();
        }
        return new Status(deep.getActiveCount(), deep.getQueue().size(), backlogSize(), (long) queueFull.count(),
                (long) deepFailed.count(), (long) dropped.count(), groups);
    }

    /** Scores what the hot path handed over, lets running deep passes finish, checkpoints, ends subscriptions. */
    @Override
    public void close() {
        closed = true;
        handover.close();
        try {
            deep.shutdown();
            deep.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            checkpoint();
        } catch (RuntimeException e) {
            LOG.error("last analysis checkpoint failed", e);
        }
        history.close();
        results.close();
    }
}
