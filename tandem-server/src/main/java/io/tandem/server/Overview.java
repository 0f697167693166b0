package io.tandem.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.Status;
import io.tandem.engine.Tandem;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.spi.batch.BatchVersion;
import io.tandem.engine.batchview.ViewDrift;
import io.tandem.engine.query.QueryCache;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The health of both paths at a glance, for the dashboard's overview and {@code GET /v1/status}: the ingest
 * rate over the last few seconds, hot-path lag, ingest-to-visible and alert latency p99, the batch boundary and
 * its age, the last batch run, whether the cold path is failing (and why), reconciliation drift, rejected and
 * late events, live subscribers, the query cache.
 *
 * <p>The ingest rate comes from samples of the accepted count taken every half second and kept for
 * {@value #RATE_WINDOW_MS} ms; the latencies from the meters' published percentiles (decaying over about two
 * minutes) or, failing those, their histograms.
 */
final class Overview implements AutoCloseable {

    static final long RATE_WINDOW_MS = 5_000;
    private static final long SAMPLE_EVERY_MS = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Tandem tandem;
    private final LongSupplier clock;
    private final Deque<long[]> samples = new ArrayDeque<>();
    private final ScheduledExecutorService sampler;

    Overview(Tandem tandem, LongSupplier clock) {
        this.tandem = tandem;
        this.clock = clock;
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tandem-overview");
            t.setDaemon(true);
            return t;
        });
        sample();
        sampler.scheduleAtFixedRate(this::sample, SAMPLE_EVERY_MS, SAMPLE_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    private void sample() {
        long accepted = accepted(tandem.status());
        long now = clock.getAsLong();
        synchronized (samples) {
            samples.addLast(new long[] {now, accepted});
            while (samples.size() > 1 && samples.peekFirst()[0] < now - RATE_WINDOW_MS) {
                samples.removeFirst();
            }
        }
    }

    private static long accepted(Status s) {
        return s.streams().values().stream().mapToLong(Status.StreamStatus::accepted).sum();
    }

    /** Accepted events per second since the oldest sample of the window, or null before there are two. */
    private Double ingestRate(long accepted, long now) {
        long[] oldest;
        synchronized (samples) {
            oldest = samples.peekFirst();
        }
        if (oldest == null || now - oldest[0] < SAMPLE_EVERY_MS / 2) {
            return null;
        }
        return (accepted - oldest[1]) * 1000.0 / (now - oldest[0]);
    }

    ObjectNode json(Status status) {
        long now = clock.getAsLong();
        ObjectNode o = JSON.createObjectNode();
        long accepted = accepted(status);
        o.put("accepted", accepted);
        o.put("ingest_rate", ingestRate(accepted, now));
        o.put("ingest_rate_window_seconds", RATE_WINDOW_MS / 1000);
        o.put("epoch_seconds", tandem.config().epochMs() / 1000.0);
        o.put("hot_path_lag", status.streams().values().stream()
                .mapToLong(s -> s.lag().stream().mapToLong(Long::longValue).sum()).sum());
        o.put("ingest_to_visible_p50_ms", percentileMs(tandem.metrics().ingestToVisible(), 0.5));
        o.put("ingest_to_visible_p99_ms", percentileMs(tandem.metrics().ingestToVisible(), 0.99));
        o.put("alert_latency_p99_ms", percentileMs(tandem.metrics().registry().find("tandem.alert.latency").timer(),
                0.99));
        o.put("rejected", status.streams().values().stream().mapToLong(Status.StreamStatus::rejected).sum());
        o.put("late_after_close", (long) tandem.metrics().registry().find("tandem.late.after.close").counters()
                .stream().mapToDouble(Counter::count).sum());
        BatchVersion v = tandem.batchVersion();
        ObjectNode boundary = o.putObject("boundary");
        boundary.put("version", v.version());
        boundary.putPOJO("epoch", v.isEmpty() ? null : v.boundaryEpoch());
        boundary.put("until", v.isEmpty() ? null : Timestamps.format(v.untilMs()));
        boundary.put("age_seconds", v.isEmpty() ? null : (now - v.untilMs()) / 1000.0);
        List<BatchRun> runs = tandem.batchRuns();
        if (runs.isEmpty()) {
            o.putNull("last_run");
        } else {
            BatchRun r = runs.get(0);
            ObjectNode run = o.putObject("last_run");
            run.put("version", r.version());
            run.put("status", r.status());
            run.put("full", r.full());
            run.put("progress", r.progress());
            run.put("duration_ms", r.durationMs());
            run.put("finished", r.status().equals("running") ? null
                    : Timestamps.format(r.startedAtMs() + r.durationMs()));
            run.put("note", r.note());
        }
        o.set("cold_path", BatchJson.coldPath(tandem.coldPath()));
        o.set("drift", drift(runs));
        ObjectNode live = o.putObject("live");
        live.put("subscribers", tandem.liveViews().subscriberCount());
        live.put("dropped", tandem.liveViews().droppedCount());
        o.set("query_cache", queryCache(tandem.queryCache().stats()));
        ObjectNode reports = o.putObject("reports");
        reports.put("configured", tandem.config().reports().size());
        ArrayNode failing = reports.putArray("failing");
        tandem.reports().failures().forEach((name, f) -> failing.addObject().put("name", name)
                .put("period", f.period()).put("error", f.error()).put("at", Timestamps.format(f.atMs())));
        return o;
    }

    /** The query cache: hits, misses and their ratio (null before any query), evictions, size, the last warm-up. */
    private static ObjectNode queryCache(QueryCache.Stats s) {
        ObjectNode c = JSON.createObjectNode();
        c.put("enabled", s.enabled());
        c.put("hits", s.hits());
        c.put("misses", s.misses());
        c.put("hit_ratio", Double.isNaN(s.hitRatio()) ? null : s.hitRatio());
        c.put("evictions", s.evictions());
        c.put("invalidations", s.invalidations());
        c.put("entries", s.entries());
        c.put("bytes", s.weightedBytes());
        c.put("max_bytes", s.maxBytes());
        QueryCache.Warm w = s.lastWarm();
        if (w == null) {
            c.putNull("last_warm");
        } else {
            c.putObject("last_warm").put("version", w.version()).put("queries", w.queries())
                    .put("elapsed_ms", w.elapsedMs()).put("at", Timestamps.format(w.atMs()));
        }
        return c;
    }

    /** The largest drift of the latest reconciled run, over every view; null before any. */
    private static ObjectNode drift(List<BatchRun> runs) {
        for (BatchRun r : runs) {
            if (!r.drift().isEmpty()) {
                ObjectNode d = JSON.createObjectNode();
                d.put("version", r.version());
                d.put("buckets_compared", r.drift().values().stream().mapToLong(ViewDrift::bucketsCompared).sum());
                d.put("buckets_differing", r.drift().values().stream().mapToLong(ViewDrift::bucketsDiffering).sum());
                d.put("max_relative_difference", r.drift().values().stream()
                        .mapToDouble(ViewDrift::maxRelativeDifference).max().orElse(0));
                return d;
            }
        }
        return null;
    }

    /** A timer's 99th percentile in milliseconds, or null when it is absent or has recorded nothing. */
    /** The timer's percentile {@code q} in ms: the one it publishes, or else the bucket that reaches it. */
    static Double percentileMs(Timer timer, double q) {
        if (timer == null || timer.count() == 0) {
            return null;
        }
        HistogramSnapshot snapshot = timer.takeSnapshot();
        for (ValueAtPercentile p : snapshot.percentileValues()) {
            if (Math.abs(p.percentile() - q) < 1e-9) {
                return p.value(TimeUnit.MILLISECONDS);
            }
        }
        CountAtBucket[] buckets = snapshot.histogramCounts();
        for (CountAtBucket b : buckets) {
            if (b.count() >= q * snapshot.count()) {
                return b.bucket(TimeUnit.MILLISECONDS);
            }
        }
        return null;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
