package io.tandem.cli;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.cli.gen.MarketGenerator;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
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
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * {@code tandem bench live}: at a sustained ingest rate over HTTP, the time from a probe trade's acknowledgement to
 * the {@code price_jump} alert it triggers reaching an SSE client ({@code /v1/alerts/live}), and to its updated row
 * reaching another SSE client that follows every row of {@code trades_1m} ({@code /v1/views/trades_1m/live}).
 */
@Command(name = "live", mixinStandardHelpOptions = true,
        description = "Alert latency and dashboard freshness over SSE while ingesting at a fixed rate.")
final class BenchLive implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--rate", defaultValue = "50000", description = "Events/s ingested (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--probes", defaultValue = "300", description = "Probe trades (default: ${DEFAULT-VALUE}).")
    int probes;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        TandemConfig config = ConfigLoader.parse(DemoCommand.bundledExample(), DemoCommand.EXAMPLE);
        Path dir = BenchSupport.tempDir("tandem-bench-live");
        out.printf("bench live: %,d events/s over HTTP, %d probes, %s%n", rate, probes, BenchSupport.machine());
        out.flush();
        Map<String, Long> acked = new ConcurrentHashMap<>();
        Map<String, Long> alerted = new ConcurrentHashMap<>();
        Map<String, Long> visible = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        try (Tandem tandem = Tandem.start(config, TandemOptions.defaults(dir));
             TandemServer server = TandemServer.start(tandem, ServerOptions.loopback(0))) {
            HttpClient http = HttpClient.newHttpClient();
            follow(http, server.url() + "/v1/alerts/live", "alert", alerted, "dims");
            follow(http, server.url() + "/v1/views/trades_1m/live", "row", visible, null);
            Thread load = new Thread(() -> load(server.url(), config, running), "bench-load");
            load.start();
            Thread.sleep(3_000);
            URI ingest = URI.create(server.url() + "/v1/streams/trades/events");
            for (int i = 0; i < probes; i++) {
                String symbol = "PROBE" + i;
                String ts = Instant.now().toString();
                BenchSupport.post(http, ingest, trade(symbol, 100.0, ts));
                BenchSupport.post(http, ingest, trade(symbol, 103.0, ts));
                acked.put(symbol, System.nanoTime());
                Thread.sleep(100);
            }
            Thread.sleep(2_000);
            running.set(false);
            load.join();
            report(out, "alert latency (ack → alert on /v1/alerts/live)", acked, alerted);
            report(out, "freshness (ack → row on /v1/views/trades_1m/live)", acked, visible);
            out.println("  where the alert latency goes (tandem.alert.stage, p50 / p99 / max):");
            for (String stage : List.of("applied", "evaluated", "persisted", "sent")) {
                Timer timer = tandem.metrics().registry().get("tandem.alert.stage").tag("stage", stage).timer();
                HistogramSnapshot snapshot = timer.takeSnapshot();
                out.printf("    %-9s %8.2f / %8.2f / %8.2f ms (%d alerts)%n", stage,
                        BenchSupport.percentile(snapshot, 0.5), BenchSupport.percentile(snapshot, 0.99),
                        snapshot.max(TimeUnit.MILLISECONDS), snapshot.count());
            }
        } finally {
            BenchSupport.deleteTree(dir);
        }
        return 0;
    }

    private void report(PrintWriter out, String what, Map<String, Long> acked, Map<String, Long> seen) {
        long[] ms = acked.entrySet().stream().filter(e -> seen.containsKey(e.getKey()))
                .mapToLong(e -> Math.max(0, seen.get(e.getKey()) - e.getValue())).sorted().toArray();
        out.printf("  %s: %d of %d probes seen; p50 %.1f ms, p99 %.1f ms%n", what, ms.length, acked.size(),
                BenchSupport.percentile(ms, 0.5) / 1e6, BenchSupport.percentile(ms, 0.99) / 1e6);
        out.flush();
    }

    /** Reads an SSE stream; notes when a probe's symbol first shows up (rows: once its close is 103). */
    private static void follow(HttpClient http, String url, String event, Map<String, Long> seen, String dims) {
        Thread t = new Thread(() -> {
            try {
                HttpResponse<Stream<String>> r = http.send(HttpRequest.newBuilder(URI.create(url))
                        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
                String current = null;
                for (String line : (Iterable<String>) r.body()::iterator) {
                    if (line.startsWith("event:")) {
                        current = line.substring(6).trim();
                    } else if (line.startsWith("data:") && event.equals(current) && line.contains("PROBE")) {
                        long now = System.nanoTime();
                        JsonNode data = JSON.readTree(line.substring(5));
                        JsonNode symbol = dims == null ? data.get("symbol") : data.path(dims).get("symbol");
                        if (symbol != null && (dims != null || data.path("close").asDouble() == 103.0)) {
                            seen.putIfAbsent(symbol.asText(), now);
                        }
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException("SSE client of " + url + " failed", e);
            }
        }, "bench-sse-" + event);
        t.setDaemon(true);
        t.start();
    }

    /** The background market at the fixed rate. */
    private void load(String url, TandemConfig config, AtomicBoolean running) {
        MarketGenerator market = new MarketGenerator(config.streams().get("trades"), 1000, 42);
        BenchSupport.paced(url + "/v1/streams/trades/events", rate, running, (n, now) -> market.nextJson(now));
    }

    private static String trade(String symbol, double price, String ts) {
        return "{\"symbol\":\"" + symbol + "\",\"price\":" + price + ",\"qty\":1,\"trader\":\"probe\",\"ts\":\"" + ts
                + "\"}";
    }
}
