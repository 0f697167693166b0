package io.tandem.engine;

import io.tandem.core.ComponentDef;
import io.tandem.core.DeploymentDef;
import io.tandem.core.QueryCacheDef;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigException;
import io.tandem.core.plan.Plan;
import io.tandem.core.plan.Planner;
import io.tandem.engine.alert.AlertEngine;
import io.tandem.engine.analysis.Analyses;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.engine.batchview.BatchRunner;
import io.tandem.spi.batch.BatchVersion;
import io.tandem.engine.batchview.ColdPathStatus;
import io.tandem.engine.batchview.ViewDrift;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.engine.hot.DeadLetters;
import io.tandem.engine.hot.HotPath;
import io.tandem.engine.hot.HotPathListener;
import io.tandem.engine.ingest.IngestResponse;
import io.tandem.engine.ingest.IngestService;
import io.tandem.engine.ingest.Sequence;
import io.tandem.engine.lake.LakeReader;
import io.tandem.engine.lake.ParquetLake;
import io.tandem.engine.live.LiveViews;
import io.tandem.engine.log.FileEventLog;
import io.tandem.engine.plan.ObservedRates;
import io.tandem.engine.query.QueryCache;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.QueryService;
import io.tandem.engine.query.ViewQuery;
import io.tandem.engine.report.ReportRunner;
import io.tandem.engine.report.ReportSqlCheck;
import io.tandem.engine.search.SearchIndexes;
import io.tandem.engine.sql.SqlService;
import io.tandem.engine.store.InMemoryRealtimeStore;
import io.tandem.spi.PartContext;
import io.tandem.spi.Providers;
import io.tandem.spi.batch.BatchEngine;
import io.tandem.spi.batch.BatchEngineProvider;
import io.tandem.spi.lake.Lake;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.log.EventLogProvider;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.store.RealtimeStoreProvider;
import io.tandem.spi.store.StoreUnavailableException;
import io.tandem.spi.view.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One Tandem process, embedded: the durable log of every stream; the hot path and the real-time store; the cold
 * path (the Parquet lake, the batch engine and the versioned batch views); and the ingest and merged-query
 * services over them. This is the Java API; the HTTP server and the CLI call the same methods.
 */
public final class Tandem implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Tandem.class);
    private static final long IDEMPOTENCY_KEEP_MS = Duration.ofHours(25).toMillis();
    private static final Duration ALERTS_AWAITED = Duration.ofSeconds(5);

    private final TandemConfig config;
    private final Plan plan;
    private final TandemOptions options;
    private final EngineMetrics metrics = new EngineMetrics();
    private final Map<String, EventLog> logs = new LinkedHashMap<>();
    private final RealtimeStore store;
    private final HotPath hotPath;
    private final DeadLetters deadLetters;
    private final List<HotPathListener> listeners = new ArrayList<>();
    private final ColdPath cold;
    private final BatchRunner batch;
    private final IngestService ingest;
    private final QueryService queries;
    private final QueryCache cache;
    private final AlertEngine alerts;
    private final Analyses analyses;
    private final LiveViews live;
    private final SearchIndexes search;
    private final ScheduledExecutorService maintenance;
    private final long startedAt;

    private Tandem(TandemConfig config, TandemOptions options) {
        if (options.role() == Role.WORKER) {
            throw new IllegalArgumentException("a worker runs as a HotWorker, not a Tandem");
        }
        List<String> contradictions = Planner.contradictions(config);
        if (!contradictions.isEmpty()) {
            throw new ConfigException("config", contradictions);
        }
        ReportSqlCheck.validate(config, "config");
        this.config = config;
        this.options = options;
        this.startedAt = options.clock().getAsLong();
        DeploymentDef parts = config.deployment();
        EventLogProvider logKind = Providers.find(EventLogProvider.class, "log.kind", parts.log().kind());
        RealtimeStoreProvider storeKind = Providers.find(RealtimeStoreProvider.class, "store.kind",
                parts.store().kind());
        BatchEngineProvider engineKind = Providers.find(BatchEngineProvider.class, "batch.engine",
                parts.batch().kind());
        for (StreamDef s : config.streams().values()) {
            try {
                logs.put(s.name(), logKind.open(s, options.partitions(), context(parts.log())));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the log of stream '" + s.name() + "': " + e.getMessage(),
                        e);
            }
        }
        DuckDb duckdb = DuckDb.of(config, options.dataDir());
        Path lakeDir = options.sharedDir().resolve("lake");
        Lake lake = options.role() == Role.SERVING ? new LakeReader(lakeDir, config)
                : new ParquetLake(lakeDir, config, logs, options.clock(), duckdb);
        this.plan = Planner.plan(config, options.role() == Role.ALL ? ObservedRates.of(lake, config.epochMs())
                : stream -> OptionalLong.empty());
        Catalog catalog = new Catalog(config, plan);
        try {
            this.store = storeKind.open(catalog, context(parts.store()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the real-time store: " + e.getMessage(), e);
        }
        if (store instanceof InMemoryRealtimeStore memory) {
            rebuildPastTheLog(memory);
        }
        String foreign = foreignState(parts);
        if (foreign != null) {
            store.close();
            logs.values().forEach(EventLog::close);
            throw new IllegalStateException(foreign);
        }
        this.cold = new ColdPath(catalog, lake, batchEngine(engineKind, parts), store, logs, duckdb,
                options.sharedDir(), options.clock(), options.automaticBatchRuns(), switch (options.role()) {
                    case SERVING -> BatchRunner.Mode.FOLLOW;
                    case BATCH -> BatchRunner.Mode.BATCH_NODE;
                    default -> BatchRunner.Mode.OWN;
                }, metrics.registry(), this::published);
        this.batch = cold.runner();
        this.queries = new QueryService(catalog, store, batch);
        // a node of a split deployment cannot bracket the workers' commits, so it could not keep a cache exact
        QueryCacheDef cacheDef = options.role() == Role.ALL ? config.queryCache()
                : new QueryCacheDef(false, 0, 0, config.queryCache().needs());
        this.cache = new QueryCache(cacheDef, catalog, queries, () -> batch.current().version(), options.clock(),
                metrics.registry());
        this.alerts = new AlertEngine(config, options.dataDir().resolve("alerts"), metrics, options.clock(),
                queries::row, options.role() == Role.SERVING);
        listeners.add(alerts);
        if (store instanceof InMemoryRealtimeStore memory) {
            memory.gate(this::recorded);
        }
        this.analyses = new Analyses(config, options.dataDir().resolve("analyses"), metrics, options.clock(), queries,
                cold.views(), batch::current, this::watermark, duckdb);
        listeners.add(analyses);
        this.live = new LiveViews(catalog, queries::row, queries::query, options.clock(),
                LiveViews.Options.defaults());
        listeners.add(live);
        this.search = new SearchIndexes(config, options.dataDir().resolve("index"), logs, lake, batch.current(),
                store::committedOffset, options.clock(), metrics.registry(), duckdb);
        listeners.add(search);
        this.deadLetters = DeadLetters.open(options.dataDir().resolve("dead-letters"), logs.keySet());
        this.hotPath = new HotPath(catalog, logs, cache.guard(store), metrics, options.clock(), listeners,
                options.role() == Role.SERVING, deadLetters);
        this.ingest = new IngestService(config.streams(), logs, store, hotPath, options.maxLag(), options.clock(),
                metrics);
        registerGauges();
        if (options.role() != Role.BATCH) {
            hotPath.start();
            analyses.start();
        }
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tandem-maintenance");
            t.setDaemon(true);
            return t;
        });
        maintenance.scheduleWithFixedDelay(this::maintain, options.checkpointEveryMs(), options.checkpointEveryMs(),
                TimeUnit.MILLISECONDS);
        cold.start(maintenance);
    }

    /**
     * Opens (or recovers) the data directory and starts the hot path.
     *
     * @throws ConfigException when a report's SQL does not bind to the streams and views, or when needs contradict
     *                         a workload's path
     */
    public static Tandem start(TandemConfig config, TandemOptions options) {
        return new Tandem(config, options);
    }

    private PartContext context(ComponentDef part) {
        return new PartContext(config, part, options.dataDir(), options.clock());
    }

    private BatchEngine batchEngine(BatchEngineProvider provider, DeploymentDef parts) {
        try {
            return provider.open(context(parts.batch()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the batch engine", e);
        }
    }

    /** Whether the alerts of the partition's events before {@code next} are fsynced, waiting up to 5 s for it. */
    private boolean recorded(String stream, int partition, long next) {
        try {
            return alerts.awaitRecorded(stream, partition, next, ALERTS_AWAITED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private long watermark(String stream) {
        return hotPath.watermark(stream).current();
    }

    private void registerGauges() {
        for (String stream : logs.keySet()) {
            metrics.gauge("tandem.hot.lag.events", "Durable events not yet applied by the hot path",
                    Map.of("stream", stream), hotPath, h -> h.lag(stream));
            metrics.gauge("tandem.hot.partitions.failed", "Partitions whose hot-path worker stopped on a failure",
                    Map.of("stream", stream), hotPath, h -> h.failures(stream).size());
        }
        metrics.gauge("tandem.realtime.store.entries", "Entries in the real-time store", Map.of(), store,
                RealtimeStore::size);
        metrics.gauge("tandem.batch.version", "The published batch view version", Map.of(), batch,
                b -> b.current().version());
        metrics.gauge("tandem.batch.boundary.age.seconds", "Arrival time since the end of the batch boundary epoch",
                Map.of(), batch, b -> b.current().isEmpty() ? Double.NaN
                        : (options.clock().getAsLong() - b.current().untilMs()) / 1000.0);
        for (String view : config.views().keySet().stream().filter(plan::isHot).toList()) {
            metrics.gauge("tandem.reconciliation.buckets.differing", "Groups where hot and batch differed in the "
                    + "latest reconciled run", Map.of("view", view), batch,
                    b -> latestDrift(b, view).bucketsDiffering());
            metrics.gauge("tandem.reconciliation.max.relative.difference", "Largest relative hot-batch difference "
                    + "in the latest reconciled run", Map.of("view", view), batch,
                    b -> latestDrift(b, view).maxRelativeDifference());
        }
    }

    private static ViewDrift latestDrift(BatchRunner runner, String view) {
        return runner.runs().stream().map(r -> r.drift().get(view)).filter(Objects::nonNull).findFirst()
                .orElse(new ViewDrift(0, 0, 0, List.of()));
    }

    private void maintain() {
        try {
            store.checkpoint();
            search.commit();
            analyses.checkpoint();
            ingest.pruneInFlight();
            store.expireIdempotency(options.clock().getAsLong() - IDEMPOTENCY_KEEP_MS);
        } catch (StoreUnavailableException e) {
            LOG.warn("maintenance skipped; will retry: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("maintenance failed; will retry", e);
        }
    }

    /** After each publish (the SQL tables moved already; the reports follow): the query cache and the indexes. */
    private void published(BatchVersion version) {
        cache.published(version);
        search.published(version);
    }

    public TandemConfig config() {
        return config;
    }

    /**
     * The path of every workload, decided at start-up from the config's needs and, for {@code volume: auto}, the
     * rates the lake holds; the hot path keeps no state for a view on the cold path only.
     */
    public Plan plan() {
        return plan;
    }

    /** The arrival clock, in epoch milliseconds: what the log stamps events with. */
    public long now() {
        return options.clock().getAsLong();
    }

    public EngineMetrics metrics() {
        return metrics;
    }

    public IngestResponse ingest(String stream, byte[] body, String idempotencyKey) {
        return ingest(stream, body, idempotencyKey, null);
    }

    /** An ingest request that is one of an ordered session's ({@link Sequence}); null for none. */
    public IngestResponse ingest(String stream, byte[] body, String idempotencyKey, Sequence sequence) {
        return ingest.ingest(stream, body, idempotencyKey, sequence);
    }

    /** A merged-view query, answered by the query cache when it holds the answer (see {@link QueryCache}). */
    public QueryResult query(ViewQuery query) {
        return cache.query(query);
    }

    /** The query cache in front of {@link #query}: its stats, and the same queries answered without it. */
    public QueryCache queryCache() {
        return cache;
    }

    /** The records of each stream that the hot path could not take, kept by {@code on_bad_event: dead_letter}. */
    public DeadLetters deadLetters() {
        return deadLetters;
    }

    /** Live views: changed rows pushed to subscribers. */
    public LiveViews liveViews() {
        return live;
    }

    /** Starts a batch run (or joins the queued one); completes once it has published or failed. */
    public CompletableFuture<BatchRun> runBatch(boolean full) {
        return batch.submit(full);
    }

    /** The batch runs, newest first, the one in progress included. */
    public List<BatchRun> batchRuns() {
        return batch.runs();
    }

    /** Whether the cold path is sealing and running: {@code failed} with the reason while it cannot. */
    public ColdPathStatus coldPath() {
        return batch.status();
    }

    /** The batch view version that queries merge with now. */
    public BatchVersion batchVersion() {
        return batch.current();
    }

    /** Read-only SQL over the lake and the published batch views. */
    public SqlService sql() {
        return cold.sql();
    }

    /** The scheduled reports. */
    public ReportRunner reports() {
        return cold.reports();
    }

    /** The alert rules' history, live feed and dead letters. */
    public AlertEngine alerts() {
        return alerts;
    }

    /** The full-text search indexes ({@code indexes:}): {@link SearchIndexes#search} and their status. */
    public SearchIndexes search() {
        return search;
    }

    /** The analyses' results (both passes), live feed, models and deep-pass status. */
    public Analyses analyses() {
        return analyses;
    }

    /** A stream's log, for tools that append encoded events directly (benchmarks, generators). */
    public EventLog log(String stream) {
        return logs.get(stream);
    }

    /**
     * The checkpoints of the embedded store are this data directory's own: one past the end of its log means that
     * log recovery moved a damaged tail aside, and the partition's real-time state is rebuilt from what the log holds.
     */
    private void rebuildPastTheLog(InMemoryRealtimeStore memory) {
        for (Map.Entry<String, EventLog> e : logs.entrySet()) {
            for (int p = 0; p < e.getValue().partitions(); p++) {
                long committed = memory.committedOffset(e.getKey(), p);
                long end = e.getValue().durableEnd(p);
                if (committed > end) {
                    LOG.error("stream '{}', partition {}: the real-time store's checkpoint is at offset {}, past the "
                            + "end of the log ({}); rebuilding the partition's real-time state from the log",
                            e.getKey(), p, committed, end);
                    memory.rebuild(e.getKey(), p);
                }
            }
        }
    }

    /**
     * Why the store's state cannot be this data directory's, or null: a store shared by processes (Redis) may hold
     * the state of another log under the same key prefix, which shows as a shard committed past its log's end.
     */
    private String foreignState(DeploymentDef parts) {
        for (Map.Entry<String, EventLog> e : logs.entrySet()) {
            for (int p = 0; p < e.getValue().partitions(); p++) {
                long committed = store.committedOffset(e.getKey(), p);
                long end = e.getValue().durableEnd(p);
                if (committed > end) {
                    return "the real-time store (store.kind " + parts.store().kind() + ") has stream '"
                            + e.getKey() + "', partition " + p + " committed through offset " + committed
                            + ", past the end of this data directory's log (" + end + "): it holds another log's "
                            + "state. Give each data directory a store of its own "
                            + "(for Redis, its own store.key_prefix)";
                }
            }
        }
        return null;
    }

    /** Waits until the hot path has applied every durable event; false on timeout. */
    public boolean awaitCaughtUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (logs.keySet().stream().anyMatch(s -> hotPath.lag(s) > 0)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Counts, offsets and lag per stream, and the uptime. */
    public Status status() {
        Map<String, Status.StreamStatus> streams = new LinkedHashMap<>();
        logs.forEach((name, log) -> {
            List<Long> ends = new ArrayList<>();
            List<Long> lags = new ArrayList<>();
            for (int p = 0; p < log.partitions(); p++) {
                ends.add(log.durableEnd(p));
                lags.add(hotPath.lag(name, p));
            }
            long wm = hotPath.watermark(name).current();
            streams.put(name, new Status.StreamStatus(
                    (long) metrics.accepted(name).count(), (long) metrics.rejected(name).count(),
                    ends, lags, wm == Long.MIN_VALUE ? null : wm, hotPath.failures(name), lostOffsets(log)));
        });
        try {
            return new Status(options.clock().getAsLong() - startedAt, streams, store.size(), null);
        } catch (StoreUnavailableException e) {
            return new Status(options.clock().getAsLong() - startedAt, streams, null, e.getMessage());
        }
    }

    /** The offsets of the embedded log lost to damage, by partition; Kafka keeps its own replicas. */
    private static Map<Integer, List<String>> lostOffsets(EventLog log) {
        Map<Integer, List<String>> lost = new TreeMap<>();
        if (log instanceof FileEventLog file) {
            for (int p = 0; p < log.partitions(); p++) {
                List<String> losses = file.losses(p).stream()
                        .map(l -> "offsets " + l.from() + " to " + (l.to() - 1) + ": " + l.reason()).toList();
                if (!losses.isEmpty()) {
                    lost.put(p, losses);
                }
            }
        }
        return lost;
    }

    @Override
    public void close() {
        // not shutdownNow: an interrupt would close the log's file channels under a maintenance task that reads them
        maintenance.shutdown();
        try {
            maintenance.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        live.close();
        cold.close();
        hotPath.close();
        deadLetters.close();
        search.close();
        alerts.close();
        analyses.close();
        store.close();
        logs.values().forEach(EventLog::close);
    }
}
