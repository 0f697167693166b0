package io.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.cli.gen.OhlcvWorkload;
import io.tandem.cli.gen.Workload;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code tandem bench cluster}: the split deployment's figures on this machine, as separate processes (a Kafka
 * broker, a redis-server, the batch and serving nodes, then N workers), for each worker count asked for:
 * HTTP ingest through the serving node into Kafka, the hot path's throughput with N workers from Kafka into
 * Redis (and the Redis scripts a committed batch costs), and ingest-to-visible latency at a fixed rate.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Throughput and latency of a split "
        + "deployment (Kafka, Redis, workers, serving and batch nodes) on the ohlcv-1m events.")
final class BenchCluster implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIG = """
            streams:
              trades:
                time: ts
                fields: {symbol: string, price: double, qty: long}
            views:
              ohlcv_1m:
                from: trades
                group_by: [symbol]
                granularity: 1m
                measures: {trades: count, volume: sum(qty), high: max(price), low: min(price), open: first(price),
                           close: last(price), avg_price: mean(price)}
            """;
    private static final Pattern EVALS = Pattern.compile("cmdstat_eval(?:sha)?:calls=(\\d+)");

    @Option(names = "--events", defaultValue = "2000000", description = "Events ingested before the workers start "
            + "(default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--workers", defaultValue = "1,2", split = ",", description = "Worker counts to measure, one "
            + "cluster each (default: ${DEFAULT-VALUE}).")
    List<Integer> workers;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of the stream (default: "
            + "${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--connections", defaultValue = "4", description = "Concurrent HTTP clients (default: "
            + "${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--batch", defaultValue = "2000", description = "Events per request (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--rate", defaultValue = "20000", description = "Events/s of the fixed-rate run (default: "
            + "${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seconds", defaultValue = "20", description = "Length of the fixed-rate run (default: "
            + "${DEFAULT-VALUE}).")
    int seconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final HttpClient http = HttpClient.newHttpClient();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Workload w = new OhlcvWorkload(events + (long) rate * seconds, 42);
        out.printf("bench cluster: %,d events, %d partitions, workers %s, %d connections, %,d events/request; %s%n",
                events, partitions, workers, connections, batch, BenchSupport.machine());
        int perSecond = Math.max(1, rate / batch);
        List<byte[]> paced = BenchSupport.bodies(w, 0, (long) rate * seconds, rate / perSecond);
        List<byte[]> bodies = BenchSupport.bodies(w, (long) rate * seconds, events, batch);
        for (int n : workers) {
            Path dir = BenchSupport.tempDir("tandem-bench-cluster");
            Path config = dir.resolve("bench.yaml");
            Files.writeString(config, CONFIG);
            LocalCluster cluster = new LocalCluster(dir.resolve("cluster"));
            try {
                List<LocalCluster.Proc> procs = cluster.up(config, n, partitions, new PrintWriter(
                        OutputStream.nullOutputStream()));
                String serving = procs.stream().filter(p -> p.role().equals("serving")).findFirst().orElseThrow()
                        .url();
                int redisPort = Integer.parseInt(procs.get(1).address().substring("127.0.0.1:".length()));
                // 1. latency at a fixed rate, the workers running
                awaitAssigned(procs.subList(2, 2 + n));
                send(serving, paced, perSecond);
                awaitCaughtUp(procs.subList(2, 2 + n));
                JsonNode visible = visibility(serving);
                out.printf("  %d worker(s): at %,d events/s for %d s, ingest-to-visible p50 %.1f ms, p99 %.1f ms "
                        + "(broker append to the serving node seeing Redis hold it)%n", n, rate, seconds,
                        visible.get("p50").asDouble(), visible.get("p99").asDouble());
                // 2. ingest with the workers stopped, then the hot path catching up with N fresh workers
                for (LocalCluster.Proc worker : procs.subList(2, 2 + n)) {
                    ProcessHandle h = worker.handle().orElseThrow();
                    h.destroy();
                    h.onExit().get();
                }
                double ingestSeconds = send(serving, bodies, 0);
                out.printf("  HTTP ingest into Kafka, no worker running: %,.0f events/s (acks after the "
                        + "transaction commits)%n", events / ingestSeconds);
                long evalsBefore = evals(redisPort);
                List<LocalCluster.Proc> added = cluster.addWorkers(n);
                long assigned = awaitAssigned(added);
                long caughtUp = awaitCaughtUp(added);
                long evals = evals(redisPort) - evalsBefore;
                double hotSeconds = (caughtUp - assigned) / 1e9;
                out.printf("  %d worker(s): hot path Kafka -> Redis %,.0f events/s (%,d events in %.1f s from the "
                        + "partitions' assignment); %,d Redis commit scripts, %,.0f events each%n", n,
                        events / hotSeconds, events, hotSeconds, evals, (double) events / Math.max(1, evals));
                out.flush();
            } finally {
                cluster.down();
                BenchSupport.deleteTree(dir);
            }
        }
        return 0;
    }

    private double send(String serving, List<byte[]> bodies, int perSecond) throws Exception {
        return BenchSupport.send(URI.create(serving + "/v1/streams/trades/events"), bodies, connections, perSecond,
                null);
    }

    private JsonNode status(LocalCluster.Proc worker) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(worker.url() + "/v1/status")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Waits until the workers own every partition between them; the time then, in nanoseconds. */
    private long awaitAssigned(List<LocalCluster.Proc> workers) throws Exception {
        while (true) {
            int owned = 0;
            for (LocalCluster.Proc w : workers) {
                owned += status(w).at("/streams/trades/partitions").size();
            }
            if (owned == partitions) {
                return System.nanoTime();
            }
            Thread.sleep(20);
        }
    }

    /** Waits until no worker lags behind the log; the time then, in nanoseconds. */
    private long awaitCaughtUp(List<LocalCluster.Proc> workers) throws Exception {
        while (true) {
            long lag = 0;
            int owned = 0;
            for (LocalCluster.Proc w : workers) {
                JsonNode s = status(w).at("/streams/trades");
                owned += s.get("partitions").size();
                for (JsonNode l : s.get("lag")) {
                    lag += l.asLong();
                }
            }
            if (owned == partitions && lag == 0) {
                return System.nanoTime();
            }
            Thread.sleep(20);
        }
    }

    /** The serving node's ingest-to-visible p50 and p99 in ms (over the last 2 minutes), from its overview. */
    private JsonNode visibility(String serving) throws Exception {
        JsonNode overview = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(serving + "/v1/status"))
                .build(), HttpResponse.BodyHandlers.ofString()).body()).get("overview");
        var node = JSON.createObjectNode();
        node.put("p50", overview.path("ingest_to_visible_p50_ms").asDouble(Double.NaN));
        node.put("p99", overview.path("ingest_to_visible_p99_ms").asDouble(Double.NaN));
        return node;
    }

    /** The Redis scripts run so far (the store's commits are one script each). */
    private static long evals(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            s.setSoTimeout(5_000);
            OutputStream o = s.getOutputStream();
            o.write("INFO commandstats\r\n".getBytes(StandardCharsets.US_ASCII));
            o.flush();
            InputStream in = s.getInputStream();
            StringBuilder header = new StringBuilder();
            for (int c = in.read(); c != '\n' && c >= 0; c = in.read()) {
                header.append((char) c);
            }
            if (header.charAt(0) != '$') {
                throw new IOException("redis-server answered INFO with " + header);
            }
            String text = new String(in.readNBytes(Integer.parseInt(header.substring(1).strip())),
                    StandardCharsets.US_ASCII);
            Matcher m = EVALS.matcher(text);
            long calls = 0;
            while (m.find()) {
                calls += Long.parseLong(m.group(1));
            }
            return calls;
        }
    }
}
