package io.tandem.engine.batchview;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tandem.core.GroupKey;
import io.tandem.core.TandemConfig;
import io.tandem.spi.batch.BatchEngine;
import io.tandem.spi.batch.BatchRows;
import io.tandem.spi.batch.BatchVersion;
import io.tandem.spi.batch.BatchViewStore;
import io.tandem.spi.lake.Lake;
import io.tandem.spi.lake.LakeFile;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Runs the batch layer: turns the lake's newly sealed epochs into a new batch view version (incrementally, or from
 * the whole lake with {@code full}), reconciles the hot path against it, publishes it atomically with its boundary,
 * then expires the real-time entries it covers and lets the log drop what both paths have passed.
 *
 * <p>Runs happen one at a time on their own thread. A run killed at any point publishes nothing: the previous
 * version stays current and the next run starts from it.
 *
 * <p>Automatic runs (from {@link #tick}) start only while no run is queued or running, and one that finds nothing
 * new leaves no record; a run asked for by hand ({@link #submit}) is always recorded. A failure to seal or to run
 * is logged once per distinct reason (not per attempt), shown by {@link #status}, and retried automatically with
 * backoff; a run asked for by hand tries again at once and reports the failure.
 */
public final class BatchRunner implements BatchViews, AutoCloseable {

    /** Where this runner stands in a deployment. */
    public enum Mode {
        /** One process: seals, runs, publishes, and expires the real-time epochs a publish covers at once. */
        OWN,
        /**
         * The batch node of a split deployment ({@code serve --role batch}): as {@link #OWN}, but a publish expires
         * the real-time epochs only through the previous version's boundary, so that a serving node still merging
         * with the previous version (until its next tick loads the new one) finds every epoch after that boundary.
         */
        BATCH_NODE,
        /**
         * A serving node of a split deployment: seals and runs nothing; each tick loads the version the batch node
         * published last, and the runs' history it wrote, from the folder both share.
         */
        FOLLOW
    }

    private static final Logger LOG = LoggerFactory.getLogger(BatchRunner.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RUNS_KEPT = 100;
    private static final long HOT_PATH_WAIT_MS = 60_000;
    private static final long CLOSE_WAIT_S = 60;

    private final Catalog catalog;
    private final TandemConfig config;
    private final Lake lake;
    private final BatchEngine engine;
    private final BatchViewStore views;
    private final RealtimeStore store;
    private final Map<String, EventLog> logs;
    private final LongSupplier clock;
    private final boolean automatic;
    private final Mode mode;
    private final Consumer<BatchVersion> onPublish;
    /** Set by {@link #close()}: a run it interrupts is not a failure of the cold path. */
    private volatile boolean closing;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tandem-batch");
        t.setDaemon(true);
        return t;
    });
    private final Deque<BatchRun> runs = new ArrayDeque<>();
    private final Object sealing = new Object();
    private final Path history;
    private final ReadWriteLock readers = new ReentrantReadWriteLock();
    private final Trouble sealTrouble = new Trouble("sealing");
    private final Trouble runTrouble = new Trouble("batch run");
    /** Damaged files the store found in the version it loaded: shown until a full recompute has replaced them. */
    private final Trouble damage = new Trouble("batch views");
    private final MeterRegistry meters;
    private final Counter sealFailures;
    private final Counter runFailures;
    private volatile BatchVersion current;
    private volatile BatchRun running;
    /** In {@link Mode#FOLLOW}: when the history file last changed, as last seen. */
    private long historyModified;
    // guarded by this: a full recompute is owed; the run queued but not started; runs queued or running
    private boolean fullPending;
    private Job pending;
    private int inFlight;

    /**
     * @param history   the file of the batch runs' history, one JSON object per line
     * @param automatic whether {@link #tick} starts runs by itself
     * @param mode      how this process takes part in the batch layer
     * @param meters    where the run duration and failure meters go
     */
    public BatchRunner(Catalog catalog, Lake lake, BatchEngine engine, BatchViewStore views, Path history,
                       RealtimeStore store, Map<String, EventLog> logs, LongSupplier clock, boolean automatic,
                       Mode mode, MeterRegistry meters, Consumer<BatchVersion> onPublish) {
        this.catalog = catalog;
        this.config = catalog.config();
        this.lake = lake;
        this.engine = engine;
        this.views = views;
        this.store = store;
        this.logs = logs;
        this.clock = clock;
        this.automatic = automatic;
        this.mode = mode;
        this.onPublish = onPublish;
        this.meters = meters;
        this.sealFailures = failureCounter(meters, "sealing");
        this.runFailures = failureCounter(meters, "run");
        duration("published");
        duration("failed");
        this.history = history;
        BatchViewStore.Loaded loaded = views.load();
        this.current = loaded.version();
        this.fullPending = !loaded.stale().isEmpty() || !loaded.damaged().isEmpty();
        if (!loaded.damaged().isEmpty()) {
            damage.found(String.join("; ", loaded.damaged()) + "; a full recompute is scheduled", clock.getAsLong());
        }
        loadHistory();
    }

    private static Counter failureCounter(MeterRegistry meters, String stage) {
        return Counter.builder("tandem.batch.failures")
                .description("Failed attempts of the cold path: sealing epochs into the lake, or a batch run")
                .tag("stage", stage).register(meters);
    }

    /** The duration of recorded runs with this outcome. */
    private Timer duration(String status) {
        return Timer.builder("tandem.batch.run.duration")
                .description("Duration of the batch runs that were recorded, by outcome")
                .tag("status", status).register(meters);
    }

    /** The published version that queries merge with. */
    public BatchVersion current() {
        return current;
    }

    @Override
    public <T> T read(Function<BatchVersion, T> reader) {
        readers.readLock().lock();
        try {
            return reader.apply(current);
        } finally {
            readers.readLock().unlock();
        }
    }

    /** The runs, newest first (the one in progress included). */
    public List<BatchRun> runs() {
        List<BatchRun> out = new ArrayList<>();
        BatchRun now = running;
        if (now != null) {
            out.add(now);
        }
        synchronized (runs) {
            out.addAll(runs);
        }
        return out;
    }

    /**
     * Whether sealing and batch runs succeed, and the batch views were found intact: a sealing failure is shown
     * before a run failure, and that before damaged batch view files.
     */
    public ColdPathStatus status() {
        ColdPathStatus sealing = sealTrouble.status();
        if (sealing.failed()) {
            return sealing;
        }
        ColdPathStatus run = runTrouble.status();
        return run.failed() ? run : damage.status();
    }

    /** The epoch up to which every stream's lake is complete: what the next run can cover. */
    public long sealedThrough() {
        long sealed = Long.MAX_VALUE;
        for (String stream : config.streams().keySet()) {
            sealed = Math.min(sealed, lake.sealedThrough(stream));
        }
        return sealed;
    }

    /**
     * Seals what the lake can seal, and, when automatic runs are on and none is queued or running, starts one
     * once {@code batch.every} epochs are newly sealed (or a full recompute is pending because view definitions
     * changed). A failing seal or run is retried here only once its backoff has passed. Called periodically.
     */
    public void tick() {
        if (mode == Mode.FOLLOW) {
            follow();
            return;
        }
        if (!sealTrouble.retryDue()) {
            return;
        }
        try {
            seal();
        } catch (RuntimeException e) {
            return;
        }
        if (!automatic) {
            return;
        }
        synchronized (this) {
            if (inFlight > 0 || !runTrouble.retryDue()) {
                return;
            }
            long sealed = sealedThrough();
            boolean due = sealed != Long.MIN_VALUE && (current.isEmpty()
                    || sealed - current.boundaryEpoch() >= config.batchEvery());
            if (fullPending || due) {
                enqueue(false, false);
            }
        }
    }

    /** Loads the version and the history the batch node published last, when they changed. */
    private void follow() {
        try {
            if (views.currentVersion() != current.version()) {
                BatchVersion loaded = views.load().version();
                current = loaded;
                runTrouble.recovered();
                onPublish.accept(loaded);
            }
            long modified = Files.exists(history) ? Files.getLastModifiedTime(history).toMillis() : 0;
            if (modified != historyModified) {
                historyModified = modified;
                synchronized (runs) {
                    runs.clear();
                    loadHistory();
                }
            }
        } catch (IOException | RuntimeException e) {
            runFailures.increment();
            runTrouble.failed(e, clock.getAsLong());
            LOG.warn("cannot follow the batch node's publishes in {}: {}", history.getParent(), e.toString());
        }
    }

    /** Writes the epochs that are ready to the lake; the tick and the runs both call it, one at a time. */
    private void seal() {
        synchronized (sealing) {
            try {
                lake.sealReadyEpochs();
            } catch (RuntimeException e) {
                if (closing) {
                    LOG.info("sealing stopped by shutdown: {}", Trouble.describe(e));
                    throw e;
                }
                sealFailures.increment();
                sealTrouble.failed(e, clock.getAsLong());
                throw e;
            }
            sealTrouble.recovered();
        }
    }

    /**
     * Starts a run asked for by hand, or joins the one queued and not yet started (making it full if asked);
     * completes when it has published, found nothing new, or failed.
     */
    public synchronized CompletableFuture<BatchRun> submit(boolean full) {
        if (mode == Mode.FOLLOW) {
            return CompletableFuture.failedFuture(new IllegalStateException("batch runs run on the batch node "
                    + "(serve --role batch); this serving node follows its publishes"));
        }
        if (pending != null) {
            pending.full |= full;
            pending.manual = true;
            return pending.done;
        }
        return enqueue(full, true);
    }

    /** Queues a run; the caller holds this. */
    private CompletableFuture<BatchRun> enqueue(boolean full, boolean manual) {
        Job job = new Job(full, manual);
        pending = job;
        inFlight++;
        executor.execute(() -> {
            boolean wholeLake;
            boolean byHand;
            synchronized (this) {
                if (pending == job) {
                    pending = null;
                }
                if (closing) {
                    inFlight--;
                    job.done.completeExceptionally(new IllegalStateException("the batch layer closed before this run "
                            + "started"));
                    return;
                }
                wholeLake = job.full || fullPending;
                fullPending = false;
                byHand = job.manual;
            }
            BatchRun run = null;
            try {
                run = run(wholeLake, byHand);
            } catch (RuntimeException | Error e) {
                job.done.completeExceptionally(e);
            } finally {
                synchronized (this) {
                    inFlight--;
                    fullPending |= wholeLake && (run == null || run.status().equals("failed"));
                }
            }
            if (run != null) {
                job.done.complete(run);
            }
        });
        return job.done;
    }

    private BatchRun run(boolean full, boolean manual) {
        long started = clock.getAsLong();
        long t0 = System.nanoTime();
        BatchVersion prev = current;
        Map<String, Long> phases = new LinkedHashMap<>();
        long phase = System.nanoTime();
        try {
            seal();
        } catch (RuntimeException e) {
            lap(phases, "seal", phase);
            return finish(failed(prev, full, null, started, t0, phases, "sealing failed: " + Trouble.describe(e)),
                    manual || sealTrouble.attempts() == 1);
        }
        phase = lap(phases, "seal", phase);
        long sealed = sealedThrough();
        Long fromEpoch = prev.isEmpty() || full ? null : prev.boundaryEpoch() + 1;
        if (sealed == Long.MIN_VALUE || (!full && !prev.isEmpty() && sealed <= prev.boundaryEpoch())) {
            return finish(new BatchRun(prev.version(), "up to date", full, boundary(prev), until(prev), null, 0,
                    totalRows(prev), 1, started, elapsed(t0), phases, Map.of(), null), manual);
        }
        running = new BatchRun(prev.version(), "running", full, boundary(prev), until(prev), fromEpoch, 0, 0, 0,
                started, 0, Map.of(), Map.of(), null);
        try {
            long after = prev.isEmpty() ? Long.MIN_VALUE : prev.boundaryEpoch();
            String note = awaitHotPath() ? null : "the hot path was behind the lake; reconciliation may show drift";
            Map<String, BatchRows> next = new HashMap<>();
            Map<String, ViewDrift> drift = new LinkedHashMap<>();
            long rows = 0;
            Set<String> read = new LinkedHashSet<>();
            for (CompiledView view : catalog.views().values()) {
                String stream = view.stream().name();
                List<LakeFile> fresh = lake.files(stream, after, sealed);
                List<LakeFile> all = full || prev.isEmpty() || !prev.views().containsKey(view.name())
                        ? lake.files(stream, Long.MIN_VALUE, sealed) : fresh;
                if (read.add(stream)) {
                    // each lake row counts once per run, however many views read it
                    rows += (full ? all : fresh).stream().mapToLong(LakeFile::rows).sum();
                }
                Map<Reconciliation.Group, Object[]> delta = aggregate(view, fresh, true);
                phase = lap(phases, "aggregate " + view.name(), phase);
                if (catalog.isHot(view.name())) {
                    // a view on the cold path only has no hot state to reconcile
                    drift.put(view.name(), Reconciliation.compare(view, hotGroups(view, after, sealed), delta));
                    phase = lap(phases, "reconcile", phase);
                }
                if (all != fresh) {
                    Map<Reconciliation.Group, Object[]> whole = delta;
                    if (full) {
                        whole = aggregate(view, all, false);
                        phase = lap(phases, "aggregate " + view.name(), phase);
                    }
                    next.put(view.name(), BatchRows.of(merged(view, BatchRows.NONE, whole)));
                } else {
                    BatchRows before = prev.views().get(view.name());
                    next.put(view.name(), new BatchRows.Changed(before, merged(view, before, delta)));
                }
                phase = lap(phases, "merge", phase);
                running = new BatchRun(prev.version(), "running", full, boundary(prev), until(prev), fromEpoch, rows,
                        0, (double) next.size() / (catalog.views().size() + 1), started, elapsed(t0),
                        Map.copyOf(phases), Map.of(), null);
            }
            // the publish removes the versions before prev: no query may still be reading one
            readers.writeLock().lock();
            readers.writeLock().unlock();
            BatchViewStore.Published written = views.publish(new BatchVersion(prev.version() + 1, sealed,
                    config.epochStart(sealed + 1), next));
            BatchVersion published = written.version();
            current = published;
            lap(phases, "publish", phase);
            long expireThrough = mode == Mode.OWN ? sealed : prev.isEmpty() ? Long.MIN_VALUE : prev.boundaryEpoch();
            readers.writeLock().lock();
            try {
                if (expireThrough != Long.MIN_VALUE) {
                    store.expireThrough(expireThrough);
                }
            } finally {
                readers.writeLock().unlock();
            }
            runTrouble.recovered();
            if (full) {
                damage.recovered();
            }
            onPublish.accept(published);
            trimLogs(sealed);
            LOG.info("batch version {} published through epoch {} ({} lake rows read{}; {} bucket ranges written, {} "
                    + "kept)", published.version(), sealed, rows, full ? ", full recompute" : "",
                    written.rangesWritten(), written.rangesKept());
            return finish(new BatchRun(published.version(), "published", full, sealed, published.untilMs(),
                    fromEpoch, rows, totalRows(published), 1, started, elapsed(t0), phases, drift, note), true);
        } catch (RuntimeException e) {
            if (closing) {
                LOG.info("batch run stopped by shutdown before it published: {}", Trouble.describe(e));
                return finish(failed(prev, full, fromEpoch, started, t0, phases, "stopped by shutdown"), false);
            }
            runFailures.increment();
            boolean changed = runTrouble.failed(e, clock.getAsLong());
            return finish(failed(prev, full, fromEpoch, started, t0, phases, Trouble.describe(e)),
                    manual || changed);
        }
    }

    private static BatchRun failed(BatchVersion prev, boolean full, Long fromEpoch, long started, long t0,
                                   Map<String, Long> phases, String reason) {
        return new BatchRun(prev.version(), "failed", full, boundary(prev), until(prev), fromEpoch, 0,
                totalRows(prev), 0, started, elapsed(t0), phases, Map.of(), reason);
    }

    /** Adds the time since {@code since} to a phase, and returns now. */
    private static long lap(Map<String, Long> phases, String name, long since) {
        long now = System.nanoTime();
        phases.merge(name, (now - since) / 1_000_000, Long::sum);
        return now;
    }

    private Map<Reconciliation.Group, Object[]> aggregate(CompiledView view, List<LakeFile> files, boolean byEpoch) {
        Map<Reconciliation.Group, Object[]> out = new HashMap<>();
        if (!files.isEmpty()) {
            lake.verify(files);
            try {
                engine.aggregate(view, files.stream().map(LakeFile::path).toList(), byEpoch,
                        (dims, bucket, epoch, accs) -> out.merge(new Reconciliation.Group(dims, bucket, epoch), accs,
                                view::merge));
            } catch (IOException e) {
                throw new UncheckedIOException("batch engine failed on view " + view.name(), e);
            }
        }
        return out;
    }

    /** The hot path's accumulators of a view for epochs in (after, through], merged over partitions. */
    private Map<Reconciliation.Group, Object[]> hotGroups(CompiledView view, long after, long through) {
        Map<Reconciliation.Group, Object[]> out = new HashMap<>();
        store.scan(view.name(), Long.MIN_VALUE, Long.MAX_VALUE, dims -> true, (key, accs) -> {
            if (key.epoch() > after && key.epoch() <= through) {
                out.merge(new Reconciliation.Group(key.dims(), key.bucket(), key.epoch()), accs, view::merge);
            }
        });
        return out;
    }

    /**
     * The buckets of {@code base} that {@code groups} fall in, with the groups merged into them (groups that share
     * (bucket, dims) merge too). Each bucket is copied from {@code base}, and its rows before they change, so that
     * a published version never changes.
     */
    private static NavigableMap<Long, Map<GroupKey, Object[]>> merged(CompiledView view, BatchRows base,
                                                                      Map<Reconciliation.Group, Object[]> groups) {
        NavigableMap<Long, Map<GroupKey, Object[]>> out = new TreeMap<>();
        Set<Reconciliation.Group> ownRows = new HashSet<>();
        for (Map.Entry<Reconciliation.Group, Object[]> g : groups.entrySet()) {
            long bucket = g.getKey().bucket();
            GroupKey dims = g.getKey().dims();
            Reconciliation.Group row = new Reconciliation.Group(dims, bucket, 0);
            Map<GroupKey, Object[]> rows = out.get(bucket);
            if (rows == null) {
                Map<GroupKey, Object[]> before = base.buckets(bucket, bucket + 1).get(bucket);
                rows = before == null ? new HashMap<>() : new HashMap<>(before);
                out.put(bucket, rows);
            }
            Object[] existing = rows.get(dims);
            if (existing == null) {
                rows.put(dims, view.copy(g.getValue()));
                ownRows.add(row);
            } else if (ownRows.add(row)) {
                rows.put(dims, view.merge(view.copy(existing), g.getValue()));
            } else {
                view.merge(existing, g.getValue());
            }
        }
        return out;
    }

    /** Waits until the hot path has applied everything the lake holds, so that reconciliation compares alike. */
    private boolean awaitHotPath() {
        long deadline = System.currentTimeMillis() + HOT_PATH_WAIT_MS;
        while (!hotPathCaughtUp()) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private boolean hotPathCaughtUp() {
        for (Map.Entry<String, EventLog> e : logs.entrySet()) {
            for (int p = 0; p < e.getValue().partitions(); p++) {
                if (store.committedOffset(e.getKey(), p) < lake.nextOffset(e.getKey(), p)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Deletes log segments that the hot path's durable checkpoint has passed and whose events the batch views
     * cover (so a hot path rebuilt after a definition change never needs them).
     */
    private void trimLogs(long boundary) {
        Map<String, long[]> committed = new HashMap<>();
        logs.forEach((stream, log) -> {
            long[] offsets = new long[log.partitions()];
            for (int p = 0; p < offsets.length; p++) {
                offsets[p] = store.committedOffset(stream, p);
            }
            committed.put(stream, offsets);
        });
        store.checkpoint();
        logs.forEach((stream, log) -> {
            long[] covered = new long[log.partitions()];
            for (LakeFile f : lake.files(stream, Long.MIN_VALUE, boundary)) {
                covered[f.partition()] = Math.max(covered[f.partition()], f.endOffset());
            }
            for (int p = 0; p < log.partitions(); p++) {
                log.deleteBefore(p, Math.min(committed.get(stream)[p], covered[p]));
            }
        });
    }

    /**
     * Ends a run; with {@code record} it heads the run list and the history. An automatic run that found nothing,
     * or failed again for the reason already shown, is not recorded.
     */
    private BatchRun finish(BatchRun run, boolean record) {
        running = null;
        if (!record) {
            return run;
        }
        duration(run.status()).record(Duration.ofMillis(run.durationMs()));
        synchronized (runs) {
            runs.addFirst(run);
            while (runs.size() > RUNS_KEPT) {
                runs.removeLast();
            }
        }
        try {
            Files.write(history, (JSON.writeValueAsString(run) + "\n").getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            LOG.warn("cannot record batch run in {}: {}", history, e.toString());
        }
        return run;
    }

    private void loadHistory() {
        if (!Files.exists(history)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(history, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    runs.addFirst(JSON.readValue(line, BatchRun.class));
                }
            }
            while (runs.size() > RUNS_KEPT) {
                runs.removeLast();
            }
        } catch (IOException e) {
            LOG.warn("ignoring unreadable batch history {}: {}", history, e.toString());
        }
    }

    private static long totalRows(BatchVersion v) {
        return v.views().values().stream().mapToLong(BatchRows::rows).sum();
    }

    private static Long boundary(BatchVersion v) {
        return v.isEmpty() ? null : v.boundaryEpoch();
    }

    private static Long until(BatchVersion v) {
        return v.isEmpty() ? null : v.untilMs();
    }

    private static long elapsed(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * Starts no more runs, lets the one in flight finish (a run queued behind it does not start), and interrupts it
     * only if it takes more than {@link #CLOSE_WAIT_S} s; then closes the views and the engine. A run stopped so is
     * recorded as stopped by shutdown, not as a failure.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_WAIT_S, TimeUnit.SECONDS)) {
                LOG.warn("a batch run is still going after {} s; interrupting it to close", CLOSE_WAIT_S);
                executor.shutdownNow();
                executor.awaitTermination(CLOSE_WAIT_S, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        views.close();
        try {
            engine.close();
        } catch (Exception e) {
            LOG.warn("closing the batch engine: {}", e.toString());
        }
        if (!Files.exists(history)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(history, StandardCharsets.UTF_8);
            if (lines.size() > RUNS_KEPT * 2) {
                Files.write(history, lines.subList(lines.size() - RUNS_KEPT, lines.size()), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A run queued by {@link #enqueue}; {@code full} and {@code manual} may grow until it starts. */
    private static final class Job {

        final CompletableFuture<BatchRun> done = new CompletableFuture<>();
        boolean full;
        boolean manual;

        Job(boolean full, boolean manual) {
            this.full = full;
            this.manual = manual;
        }
    }

    /**
     * The failure of one stage of the cold path, if any: logged once per distinct reason (with its stack trace),
     * then retried with backoff; logged again when it recovers.
     */
    private static final class Trouble {

        private static final long FIRST_RETRY_MS = 1_000;
        private static final long LAST_RETRY_MS = 60_000;

        private final String stage;
        private String error;
        private long sinceMs;
        private int attempts;
        private long retryAtNanos;

        Trouble(String stage) {
            this.stage = stage;
        }

        /** Notes a failed attempt; true when its reason is new (and then logged). */
        synchronized boolean failed(Throwable e, long nowMs) {
            String reason = describe(e);
            boolean changed = !reason.equals(error);
            if (changed) {
                LOG.error("{} failed: {}; retrying with backoff until it succeeds", stage, reason, e);
                error = reason;
                sinceMs = nowMs;
                attempts = 0;
            } else {
                LOG.debug("{} failed again ({} attempts): {}", stage, attempts + 1, reason);
            }
            attempts++;
            long backoff = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS << Math.min(attempts - 1, 16));
            retryAtNanos = System.nanoTime() + backoff * 1_000_000;
            return changed;
        }

        /**
         * Notes a fault found outside any attempt, which no retry mends by itself (damaged files found at start):
         * shown until {@link #recovered}.
         */
        synchronized void found(String reason, long nowMs) {
            error = reason;
            sinceMs = nowMs;
            attempts = 1;
            retryAtNanos = System.nanoTime();
        }

        synchronized void recovered() {
            if (error != null) {
                LOG.info("{} works again after {} failed attempts (last error: {})", stage, attempts, error);
                error = null;
                attempts = 0;
            }
        }

        synchronized int attempts() {
            return attempts;
        }

        /** Whether an automatic attempt may run now: no failure, or its backoff has passed. */
        synchronized boolean retryDue() {
            return error == null || System.nanoTime() - retryAtNanos >= 0;
        }

        synchronized ColdPathStatus status() {
            if (error == null) {
                return ColdPathStatus.OK;
            }
            long retryIn = Math.max(0, (retryAtNanos - System.nanoTime()) / 1_000_000);
            return new ColdPathStatus("failed", stage, error, sinceMs, attempts, retryIn);
        }

        /** The message of an exception and of its causes, each once, with the type where it says more. */
        static String describe(Throwable e) {
            StringBuilder out = new StringBuilder();
            for (Throwable t = e; t != null && out.length() < 1_000; t = t.getCause()) {
                String m = t.getMessage();
                boolean ownWords = t instanceof IllegalStateException || t instanceof IllegalArgumentException
                        || t instanceof UncheckedIOException;
                String part = m == null || m.isBlank() ? t.getClass().getSimpleName()
                        : ownWords ? m : t.getClass().getSimpleName() + ": " + m;
                if (out.indexOf(m == null ? part : m) < 0) {
                    out.append(out.length() == 0 ? "" : ": ").append(part);
                }
            }
            return out.toString();
        }
    }
}
