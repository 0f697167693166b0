package io.tandem.cli;

import io.micrometer.core.instrument.Timer;
import io.tandem.cli.gen.OhlcvWorkload;
import io.tandem.cli.gen.Workload;
import io.tandem.core.Needs;
import io.tandem.core.QueryCacheDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.codec.RowCodec;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.query.QueryCache;
import io.tandem.engine.query.ViewQuery;
import io.tandem.server.ServerOptions;
import io.tandem.server.TandemServer;
import io.tandem.spi.log.EventLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code tandem bench query}: merged-query latency while events are ingested over HTTP at a fixed rate, with a day of
 * history already in the batch views and batch runs going on, with the query cache and without it. A dashboard
 * asks two queries again and again: one symbol over the last day at 1-minute buckets (its open bucket changes
 * with every trade of the symbol, so each trade invalidates it), and every symbol over the previous, closed hour at
 * 1-hour buckets (changed only by batch publishes, after which the cache warms it).
 */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = "Merged query latency during ingest at a fixed rate, with and without the query cache.")
final class BenchQuery implements Callable<Integer> {

    private static final long EPOCH_MS = 10_000;
    private static final long HOUR_MS = 3_600_000;

    @Option(names = "--rate", defaultValue = "100000", description = "Events/s ingested (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seconds", defaultValue = "30",
            description = "Measured seconds per run (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--history", defaultValue = "2000000",
            description = "Events of history over the past day (default: ${DEFAULT-VALUE}).")
    long history;

    @Option(names = "--cache", defaultValue = "both",
            description = "Runs with the query cache on, off, or both one after the other (default: ${DEFAULT-VALUE}).")
    String cache;

    @CommandLine.Mixin
    BenchStoreMixin store;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<Boolean> runs = switch (cache) {
            case "both" -> List.of(true, false);
            case "on" -> List.of(true);
            case "off" -> List.of(false);
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--cache: expected on, off or both, got '" + cache + "'");
        };
        store.validate(spec.commandLine());
        PrintWriter out = spec.commandLine().getOut();
        out.printf("bench query: %,d events of history, %,d events/s for %d s, epochs of %d s, %s, %s%n", history,
                rate, seconds, EPOCH_MS / 1000, store.describe(), BenchSupport.machine());
        out.flush();
        for (boolean on : runs) {
            run(out, on);
        }
        return 0;
    }

    private void run(PrintWriter out, boolean cacheOn) throws Exception {
        Workload w = new OhlcvWorkload(history, 42);
        TandemConfig config = store.apply(new TandemConfig(EPOCH_MS, Map.of(w.stream().name(), w.stream()),
                Map.of(w.view().name(), w.view()), 1, Map.of(), Map.of())
                .withQueryCache(new QueryCacheDef(cacheOn, QueryCacheDef.DEFAULT_MAX_BYTES, QueryCacheDef.DEFAULT_WARM,
                        Needs.NONE)), spec.commandLine());
        Path dir = BenchSupport.tempDir("tandem-bench-query");
        out.printf("query cache %s:%n", cacheOn ? "on" : "off");
        try (Tandem tandem = Tandem.start(config, TandemOptions.defaults(dir));
             TandemServer server = TandemServer.start(tandem, ServerOptions.loopback(0))) {
            long now = System.currentTimeMillis();
            preload(tandem, w, now);
            while (tandem.batchVersion().isEmpty() || tandem.batchVersion().untilMs() < now) {
                Thread.sleep(200);
            }
            out.printf("  history is in batch version %d%n", tandem.batchVersion().version());
            AtomicBoolean running = new AtomicBoolean(true);
            Thread ingest = new Thread(() -> ingest(server, running), "bench-ingest");
            ingest.start();
            long versionBefore = tandem.batchVersion().version();
            QueryCache.Stats before = tandem.queryCache().stats();
            Timer warmup = tandem.metrics().registry().get("tandem.query.cache.warmup.duration").timer();
            long warmsBefore = warmup.count();
            double warmSecondsBefore = warmup.totalTime(TimeUnit.SECONDS);
            String symbol = "S0001";
            String view = server.url() + "/v1/views/" + w.view().name();
            HttpClient http = HttpClient.newHttpClient();
            int max = seconds * 100;
            long[][] nanos = new long[4][max];
            long[][] cpu = new long[4][max];
            int n = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end && n < max) {
                long t = System.currentTimeMillis();
                long hour = Math.floorDiv(t, HOUR_MS) * HOUR_MS;
                nanos[0][n] = http(http, view + "?symbol=" + symbol + "&from=" + Instant.ofEpochMilli(t - 86_400_000L)
                        + "&to=" + Instant.ofEpochMilli(t));
                nanos[1][n] = java(tandem, new ViewQuery(w.view().name(), t - 86_400_000L, t, 0,
                        Map.of("symbol", symbol)), cpu[1], n);
                nanos[2][n] = http(http, view + "?granularity=1h&from=" + Instant.ofEpochMilli(hour - HOUR_MS)
                        + "&to=" + Instant.ofEpochMilli(hour));
                nanos[3][n] = java(tandem, new ViewQuery(w.view().name(), hour - HOUR_MS, hour, HOUR_MS, Map.of()),
                        cpu[3], n);
                n++;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            running.set(false);
            ingest.join();
            QueryCache.Stats after = tandem.queryCache().stats();
            out.printf("  %,d rounds of 4 queries; batch versions published meanwhile: %d%n", n,
                    tandem.batchVersion().version() - versionBefore);
            String[] names = {"1 symbol, last day, 1m (1,440 rows), HTTP", "1 symbol, last day, 1m, Java API",
                "all symbols, previous hour, 1h (1,000 rows), HTTP", "all symbols, previous hour, 1h, Java API"};
            for (int i = 0; i < 4; i++) {
                long[] sorted = BenchSupport.sorted(nanos[i], n);
                out.printf("  %-50s p50 %6.2f ms, p99 %6.2f ms", names[i], BenchSupport.percentile(sorted, 0.5) / 1e6,
                        BenchSupport.percentile(sorted, 0.99) / 1e6);
                if (i % 2 == 1) {
                    long[] onCpu = BenchSupport.sorted(cpu[i], n);
                    out.printf("; on the CPU p50 %.2f ms, p99 %.2f ms", BenchSupport.percentile(onCpu, 0.5) / 1e6,
                            BenchSupport.percentile(onCpu, 0.99) / 1e6);
                }
                out.println();
            }
            if (cacheOn) {
                long hits = after.hits() - before.hits();
                long misses = after.misses() - before.misses();
                long warms = warmup.count() - warmsBefore;
                double warmMs = (warmup.totalTime(TimeUnit.SECONDS) - warmSecondsBefore) * 1000 / warms;
                out.printf("  cache: %,d hits, %,d misses, hit ratio %.3f; %,d invalidations, %,d evictions; "
                        + "%d warm-ups, mean %.2f ms%n", hits, misses, hits + misses == 0 ? Double.NaN
                        : (double) hits / (hits + misses), after.invalidations() - before.invalidations(),
                        after.evictions() - before.evictions(), warms,
                        warms == 0 ? Double.NaN : warmMs);
            }
            out.flush();
        } finally {
            BenchSupport.deleteTree(dir);
            store.cleanUp();
        }
    }

    private static long http(HttpClient http, String url) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        long elapsed = System.nanoTime() - t0;
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
        }
        return elapsed;
    }

    /** The query's elapsed time; its thread's CPU time goes into {@code cpu[i]}, the rest was spent waiting. */
    private static long java(Tandem tandem, ViewQuery q, long[] cpu, int i) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        tandem.query(q);
        long elapsed = System.nanoTime() - t0;
        cpu[i] = threads.getCurrentThreadCpuTime() - c0;
        return elapsed;
    }

    /** A day of history: the workload's events with event times spread over the past 24 hours. */
    private static void preload(Tandem tandem, Workload w, long now) {
        EventLog log = tandem.log(w.stream().name());
        RowCodec codec = new RowCodec(w.stream());
        RowCodec.Builder builder = codec.builder();
        var row = codec.reader();
        List<byte[]> payloads = new ArrayList<>();
        for (long g = 0; g < w.events(); g++) {
            w.generate(g, builder);
            byte[] p = builder.encode();
            row.reset(p, 0, p.length, 0, 0);
            builder.reset(now - 86_400_000L + g * 86_400_000L / w.events())
                    .setString(0, row.getString(0)).setDouble(1, row.getDouble(1)).setLong(2, row.getLong(2));
            payloads.add(builder.encode());
            if (payloads.size() == 4096) {
                log.append((int) (g % log.partitions()), null, payloads).join();
                payloads = new ArrayList<>();
            }
        }
        if (!payloads.isEmpty()) {
            log.append(0, null, payloads).join();
        }
        tandem.awaitCaughtUp(Duration.ofMinutes(5));
    }

    /** Live trades at the fixed rate over HTTP, event time now, over 1,000 symbols. */
    private void ingest(TandemServer server, AtomicBoolean running) {
        BenchSupport.paced(server.url() + "/v1/streams/trades/events", rate, running, (n, now) -> "{\"ts\":" + now
                + ",\"symbol\":\"S" + String.format("%04d", n % 1000) + "\",\"price\":" + (100 + n % 7)
                + ",\"qty\":" + (1 + n % 100) + "}");
    }
}
