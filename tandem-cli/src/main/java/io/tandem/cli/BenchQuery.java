package io.tandem.cli;

import io.tandem.cli.gen.OhlcvWorkload;
import io.tandem.cli.gen.Workload;
import io.tandem.core.TandemConfig;
import io.tandem.core.codec.RowCodec;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.log.EventLog;
import io.tandem.engine.query.ViewQuery;
import io.tandem.server.ServerOptions;
import io.tandem.server.TandemServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
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
 * {@code tandem bench query}: merged-query latency (one symbol, one day at 1-minute buckets) while events are
 * ingested over HTTP at a fixed rate, with a day of history already in the batch views and batch runs going on.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = "Merged query latency (1 symbol, 1 day, 1-minute buckets) during ingest at a fixed rate.")
final class BenchQuery implements Callable<Integer> {

    private static final long EPOCH_MS = 10_000;

    @Option(names = "--rate", defaultValue = "100000", description = "Events/s ingested (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seconds", defaultValue = "30", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--history", defaultValue = "2000000",
            description = "Events of history over the past day (default: ${DEFAULT-VALUE}).")
    long history;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Workload w = new OhlcvWorkload(history, 42);
        TandemConfig config = new TandemConfig(EPOCH_MS, Map.of(w.stream().name(), w.stream()),
                Map.of(w.view().name(), w.view()), 1, Map.of(), Map.of());
        Path dir = BenchSupport.tempDir("tandem-bench-query");
        out.printf("bench query: %,d events of history, %,d events/s for %d s, epochs of %d s, %s%n", history, rate,
                seconds, EPOCH_MS / 1000, BenchSupport.machine());
        out.flush();
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
            String symbol = "S0001";
            URI uri = URI.create(server.url() + "/v1/views/" + w.view().name() + "?symbol=" + symbol);
            HttpClient http = HttpClient.newHttpClient();
            long[] httpNanos = new long[seconds * 100];
            long[] javaNanos = new long[seconds * 100];
            int n = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end && n < httpNanos.length) {
                long t = System.currentTimeMillis();
                String range = "&from=" + Instant.ofEpochMilli(t - 86_400_000L) + "&to=" + Instant.ofEpochMilli(t);
                long t0 = System.nanoTime();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(uri + range)).build(),
                        HttpResponse.BodyHandlers.ofString());
                httpNanos[n] = System.nanoTime() - t0;
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
                }
                long t1 = System.nanoTime();
                tandem.query(new ViewQuery(w.view().name(), t - 86_400_000L, t, 0, Map.of("symbol", symbol)));
                javaNanos[n++] = System.nanoTime() - t1;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            running.set(false);
            ingest.join();
            long[] h = BenchSupport.sorted(httpNanos, n);
            long[] j = BenchSupport.sorted(javaNanos, n);
            out.printf("  %,d queries; batch versions published meanwhile: %d%n", n,
                    tandem.batchVersion().version() - versionBefore);
            out.printf("  over HTTP: p50 %.2f ms, p99 %.2f ms; Java API: p50 %.2f ms, p99 %.2f ms%n",
                    BenchSupport.percentile(h, 0.5) / 1e6, BenchSupport.percentile(h, 0.99) / 1e6,
                    BenchSupport.percentile(j, 0.5) / 1e6, BenchSupport.percentile(j, 0.99) / 1e6);
        } finally {
            BenchSupport.deleteTree(dir);
        }
        return 0;
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
