package io.tandem.cli;

import io.tandem.cli.gen.MarketGenerator;
import io.tandem.cli.gen.NewsGenerator;
import io.tandem.core.TandemConfig;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.engine.search.SearchIndexes;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code tandem bench search}: over the demo's config (one-second epochs), first the search visibility latency
 * while trades and news arrive over HTTP at fixed rates: a probe news item's ingest acknowledgement to the first
 * answer of {@code GET /v1/search/headlines} that holds it; then the batch rebuild of the {@code headlines} index
 * from the lake after {@code --docs} news items.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Search visibility latency (ack → searchable) during ingest, and the batch rebuild time.")
final class BenchSearch implements Callable<Integer> {

    @Option(names = "--rate", defaultValue = "5000", description = "Trades/s ingested meanwhile (default: "
            + "${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--news-rate", defaultValue = "1000", description = "News items/s ingested meanwhile (default: "
            + "${DEFAULT-VALUE}).")
    int newsRate;

    @Option(names = "--probes", defaultValue = "200", description = "Probe news items (default: ${DEFAULT-VALUE}).")
    int probes;

    @Option(names = "--docs", defaultValue = "1000000", description = "News items the rebuild indexes (default: "
            + "${DEFAULT-VALUE}).")
    int docs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        TandemConfig config = DemoCommand.demoConfig().withEpochMs(1_000);
        Path dir = BenchSupport.tempDir("tandem-bench-search");
        out.printf("bench search: %,d trades/s and %,d news/s over HTTP, %d probes, then %,d news to rebuild; %s%n",
                rate, newsRate, probes, docs, BenchSupport.machine());
        out.flush();
        try (Tandem tandem = Tandem.start(config, TandemOptions.defaults(dir).withAutomaticBatchRuns(false));
             TandemServer server = TandemServer.start(tandem, ServerOptions.loopback(0))) {
            visibility(out, server.url(), config);
            rebuild(out, tandem, config);
        } finally {
            BenchSupport.deleteTree(dir);
        }
        return 0;
    }

    private void visibility(PrintWriter out, String url, TandemConfig config) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        MarketGenerator market = new MarketGenerator(config.streams().get("trades"), 1000, 42);
        NewsGenerator news = new NewsGenerator(market.symbols(), 42);
        Thread trades = new Thread(() -> BenchSupport.paced(url + "/v1/streams/trades/events", rate, running,
                (n, now) -> market.nextJson(now)), "bench-trades");
        Thread items = new Thread(() -> BenchSupport.paced(url + "/v1/streams/news/events", newsRate, running,
                (n, now) -> news.nextJson("ts", now)), "bench-news");
        trades.start();
        items.start();
        Thread.sleep(3_000);
        HttpClient http = HttpClient.newHttpClient();
        URI ingest = URI.create(url + "/v1/streams/news/events");
        long[] ms = new long[probes];
        for (int i = 0; i < probes; i++) {
            String token = "probe" + i + "x" + System.nanoTime();
            BenchSupport.post(http, ingest, "{\"ts\":\"" + Instant.now() + "\",\"headline\":\"" + token
                    + " wins\",\"symbol\":\"PRB\",\"source\":\"bench\"}");
            long acked = System.nanoTime();
            HttpRequest query = HttpRequest.newBuilder(URI.create(url + "/v1/search/headlines?q=" + token + "&limit=1"))
                    .build();
            while (!http.send(query, HttpResponse.BodyHandlers.ofString()).body().startsWith("{\"total\":1")) {
                LockSupport.parkNanos(1_000_000);
            }
            ms[i] = System.nanoTime() - acked;
            Thread.sleep(50);
        }
        running.set(false);
        trades.join();
        items.join();
        long[] sorted = BenchSupport.sorted(ms, ms.length);
        out.printf("  visibility (ack → in GET /v1/search): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                BenchSupport.percentile(sorted, 0.5) / 1e6, BenchSupport.percentile(sorted, 0.99) / 1e6,
                sorted[sorted.length - 1] / 1e6);
        out.flush();
    }

    private void rebuild(PrintWriter out, Tandem tandem, TandemConfig config) throws Exception {
        NewsGenerator news = new NewsGenerator(new MarketGenerator(config.streams().get("trades"), 1000, 7).symbols(),
                7);
        long t0 = System.nanoTime();
        StringBuilder body = new StringBuilder();
        for (int sent = 0; sent < docs; ) {
            body.setLength(0);
            long now = System.currentTimeMillis();
            for (int k = 0; k < 5_000 && sent < docs; k++, sent++) {
                body.append(news.nextJson("ts", now)).append('\n');
            }
            tandem.ingest("news", body.toString().getBytes(StandardCharsets.UTF_8), null);
        }
        if (!tandem.awaitCaughtUp(Duration.ofMinutes(10))) {
            throw new IllegalStateException("the hot path did not catch up in 10 minutes");
        }
        while (tandem.search().status("headlines").queued() > 0) {
            Thread.sleep(10);
        }
        long ingested = System.nanoTime() - t0;
        out.printf("  ingest + real-time indexing of %,d news: %.1f s (%,.0f docs/s)%n", docs, ingested / 1e9,
                docs / (ingested / 1e9));
        // let the last epoch end and seal, then one batch run; the rebuild follows it on its own thread
        Thread.sleep(2_500);
        BatchRun run = tandem.runBatch(false).join();
        if (!run.status().equals("published")) {
            throw new IllegalStateException("the batch run did not publish: " + run.status() + " " + run.note());
        }
        SearchIndexes.IndexStatus s;
        do {
            Thread.sleep(50);
            s = tandem.search().status("headlines");
        } while (!run.boundaryEpoch().equals(s.boundaryEpoch()));
        double seconds = s.lastRebuildMs() / 1000.0;
        out.printf("  rebuild from the lake: %,d docs in %.1f s: %.1f s per million docs (%,.0f docs/s)%n",
                s.batchDocs(), seconds, seconds * 1e6 / s.batchDocs(), s.batchDocs() / seconds);
        out.flush();
    }
}
