package io.tandem.cli;

import io.tandem.cli.gen.MarketGenerator;
import io.tandem.cli.gen.NewsGenerator;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Status;
import io.tandem.engine.Tandem;
import io.tandem.engine.ingest.IngestException;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import io.tandem.server.TandemServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * {@code tandem demo}: the bundled market example with a built-in market generator, and a summary every few
 * seconds read back through the same query path users call.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the bundled market example (examples/market.yaml) with a built-in trade generator.")
final class DemoCommand implements Callable<Integer> {

    static final String EXAMPLE = "examples/market.yaml";
    private static final long TICK_MS = 20;
    private static final long DEMO_EPOCH_MS = 60_000;
    private static final long NEWS_PER_SECOND = 2;

    @Option(names = "--rate", description = "Trades per second (default: ${DEFAULT-VALUE}).", defaultValue = "5000")
    int rate;

    @Option(names = "--symbols", description = "Symbols traded (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    int symbols;

    @Option(names = "--summary-every", description = "Seconds between summaries (default: ${DEFAULT-VALUE}).",
            defaultValue = "5")
    int summaryEvery;

    @Option(names = "--duration", description = "Stop after this many seconds (default: run until interrupted).")
    Integer duration;

    @Mixin
    ServerMixin server;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (rate < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rate: expected at least 1, got " + rate);
        }
        if (server.dataDir.toString().equals("data")) {
            server.dataDir = server.dataDir.resolve("demo");
        }
        TandemConfig config = demoConfig();
        PrintWriter out = spec.commandLine().getOut();
        try (Tandem tandem = Tandem.start(config, server.options());
             TandemServer http = TandemServer.start(tandem, server.serverOptions(config.security()))) {
            out.printf("Tandem demo: %s (data in %s; epochs of 1 minute, a batch run after each)%n", http.url(),
                    server.dataDir.toAbsolutePath());
            MarketGenerator market = new MarketGenerator(config.streams().get("trades"), symbols,
                    System.nanoTime());
            out.printf("  try: curl '%s/v1/views/trades_1m?from=%s&to=%s&symbol=%s'%n", http.url(),
                    "2026-01-01T00:00:00Z", "2100-01-01T00:00:00Z", market.symbols().get(0));
            out.printf("  search the news: tandem search headlines \"merger OR dividend\" --url %s%n", http.url());
            out.flush();
            run(tandem, market, new NewsGenerator(market.symbols(), System.nanoTime()), out);
        }
        return 0;
    }

    private void run(Tandem tandem, MarketGenerator market, NewsGenerator news, PrintWriter out) {
        long start = System.currentTimeMillis();
        long nextSummary = start + summaryEvery * 1000L;
        long sent = 0;
        long newsSent = 0;
        long lastAccepted = 0;
        long lastSummary = start;
        long skipped = 0;
        StringBuilder body = new StringBuilder();
        while (duration == null || System.currentTimeMillis() - start < duration * 1000L) {
            long now = System.currentTimeMillis();
            long due = (now - start) * rate / 1000;
            body.setLength(0);
            for (; sent < due; sent++) {
                body.append(market.nextJson(now)).append('\n');
            }
            if (body.length() > 0) {
                try {
                    tandem.ingest("trades", body.toString().getBytes(StandardCharsets.UTF_8), null);
                } catch (IngestException e) {
                    if (e.kind() != IngestException.Kind.OVERLOADED) {
                        throw e;
                    }
                    // the hot path is behind: these trades are dropped, as a producer would on a 503
                    skipped++;
                }
            }
            for (; newsSent < (now - start) * NEWS_PER_SECOND / 1000; newsSent++) {
                try {
                    tandem.ingest("news", (news.nextJson("ts", now) + "\n").getBytes(StandardCharsets.UTF_8), null);
                } catch (IngestException e) {
                    if (e.kind() != IngestException.Kind.OVERLOADED) {
                        throw e;
                    }
                    skipped++;
                }
            }
            if (now >= nextSummary) {
                Status status = tandem.status();
                long accepted = status.streams().get("trades").accepted();
                double perSecond = (accepted - lastAccepted) * 1000.0 / Math.max(1, now - lastSummary);
                try {
                    printSummary(out, tandem, status, perSecond, now);
                } catch (RuntimeException e) {
                    // the summary is a reader like any client: its failure must not stop the demo's server
                    out.printf("%n  summary failed: %s%n", e);
                    out.flush();
                }
                if (skipped > 0) {
                    out.printf("  %,d generated batches dropped: the hot path was overloaded (503)%n", skipped);
                    skipped = 0;
                }
                lastAccepted = accepted;
                lastSummary = now;
                nextSummary = now + summaryEvery * 1000L;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MS));
        }
    }

    private static void printSummary(PrintWriter out, Tandem tandem, Status status, double perSecond, long now) {
        Status.StreamStatus trades = status.streams().get("trades");
        long lag = trades.lag().stream().mapToLong(Long::longValue).sum();
        out.printf("%n%s  %,.0f events/s  accepted %,d  rejected %,d  hot-path lag %,d events  store %,d entries%n",
                Instant.ofEpochMilli(now), perSecond, trades.accepted(), trades.rejected(), lag,
                status.storeEntries());
        tandem.batchRuns().stream().filter(r -> r.status().equals("published")).findFirst().ifPresentOrElse(
                r -> out.printf("  batch version %d covers arrivals until %s; reconciliation: %s%n", r.version(),
                        Instant.ofEpochMilli(r.untilMs()), r.drift().entrySet().stream()
                                .map(e -> e.getKey() + " " + e.getValue().bucketsDiffering() + "/"
                                        + e.getValue().bucketsCompared() + " groups differ")
                                .collect(Collectors.joining(", "))),
                () -> out.println("  no batch run yet: the first epoch seals a minute after start"));
        List<Mover> movers = topMovers(tandem, now);
        out.println("  top movers, last 5 minutes (from view trades_1m):");
        for (Mover m : movers) {
            out.printf("    %-6s %+7.2f%%  open %10.2f  close %10.2f  trades %,8d  volume %,12d%n", m.symbol,
                    m.change * 100, m.open, m.close, m.trades, m.volume);
        }
        out.flush();
    }

    record Mover(String symbol, double open, double close, double change, long trades, long volume) {
    }

    /**
     * The symbols whose price moved most over the last five minutes, read from the merged view. A measure is null
     * in a bucket whose events lack its field (a trade without a price or qty): such a bucket adds no price, and a
     * symbol with no price at all in the window is not a mover.
     */
    static List<Mover> topMovers(Tandem tandem, long now) {
        QueryResult r = tandem.query(new ViewQuery("trades_1m", now - 5 * 60_000, now + 60_000, 0, Map.of()));
        int open = r.measures().indexOf("open");
        int close = r.measures().indexOf("close");
        int trades = r.measures().indexOf("trades");
        int volume = r.measures().indexOf("volume");
        Map<String, double[]> bySymbol = new LinkedHashMap<>();
        for (QueryResult.Row row : r.rows()) {
            Object[] v = row.values();
            double[] acc = bySymbol.computeIfAbsent(String.valueOf(row.dims().get(0)),
                    s -> new double[] {Double.NaN, Double.NaN, 0, 0});
            if (Double.isNaN(acc[0]) && v[open] instanceof Number o) {
                acc[0] = o.doubleValue();
            }
            if (v[close] instanceof Number c) {
                acc[1] = c.doubleValue();
            }
            acc[2] += v[trades] instanceof Number n ? n.doubleValue() : 0;
            acc[3] += v[volume] instanceof Number n ? n.doubleValue() : 0;
        }
        List<Mover> movers = new ArrayList<>();
        bySymbol.forEach((s, a) -> {
            if (!Double.isNaN(a[0]) && !Double.isNaN(a[1])) {
                movers.add(new Mover(s, a[0], a[1], a[1] / a[0] - 1, (long) a[2], (long) a[3]));
            }
        });
        movers.sort(Comparator.comparingDouble((Mover m) -> -Math.abs(m.change)));
        return movers.subList(0, Math.min(5, movers.size()));
    }

    /**
     * The bundled example, alerts and reports included, with one-minute epochs and a batch run after each, so that
     * the merge and reconciliation show within minutes.
     */
    static TandemConfig demoConfig() throws IOException {
        return ConfigLoader.parse(bundledExample(), EXAMPLE).withEpochMs(DEMO_EPOCH_MS).withBatchEvery(1);
    }

    static String bundledExample() throws IOException {
        try (InputStream in = DemoCommand.class.getClassLoader().getResourceAsStream(EXAMPLE)) {
            if (in == null) {
                throw new IOException(EXAMPLE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
