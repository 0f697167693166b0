package io.tandem.cli;

import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.tandem.cli.gen.OhlcvWorkload;
import io.tandem.cli.gen.Workload;
import io.tandem.core.TandemConfig;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.server.ServerOptions;
import io.tandem.server.TandemServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tandem bench ingest}: HTTP NDJSON ingest into a server in this process, over several client connections,
 * each request answered only once durable. Two runs on fresh data: as fast as possible (events/s, ack latency),
 * then at a fixed rate (ack latency and ingest-to-visible latency, read from the server's own histogram).
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "HTTP ingest throughput and latency (durable acks) on the ohlcv-1m events.")
final class BenchIngest implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "2000000", description = "Events in the throughput run "
            + "(default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--connections", defaultValue = "4", description = "Concurrent client connections "
            + "(default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--batch", defaultValue = "2000", description = "Events per request (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--rate", defaultValue = "100000", description = "Events/s of the fixed-rate run "
            + "(default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seconds", defaultValue = "20", description = "Length of the fixed-rate run "
            + "(default: ${DEFAULT-VALUE}).")
    int seconds;

    @CommandLine.Mixin
    BenchStoreMixin store;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Workload w = new OhlcvWorkload(Math.max(events, (long) rate * seconds), 42);
        TandemConfig config = store.apply(BenchSupport.config(w), spec.commandLine());
        PrintWriter out = spec.commandLine().getOut();
        out.printf("bench ingest: %,d events, %d connections, %,d events/request, %s, %s%n", events, connections,
                batch, store.describe(), BenchSupport.machine());
        List<byte[]> bodies = BenchSupport.bodies(w, 0, events, batch);
        Run fast = run(w, config, bodies, 0, out);
        out.printf("  as fast as possible: %,.0f events/s; ack latency p50 %.1f ms, p99 %.1f ms%n",
                events / fast.seconds, fast.ackP50, fast.ackP99);
        int requestsPerSecond = Math.max(1, rate / batch);
        int perRequest = rate / requestsPerSecond;
        List<byte[]> paced = BenchSupport.bodies(w, 0, (long) perRequest * requestsPerSecond * seconds, perRequest);
        Run fixed = run(w, config, paced, requestsPerSecond, out);
        out.printf("  at %,d events/s for %d s: ack latency p50 %.1f ms, p99 %.1f ms; ingest-to-visible p50 %.1f ms, "
                + "p99 %.1f ms%n", rate, seconds, fixed.ackP50, fixed.ackP99, fixed.visibleP50, fixed.visibleP99);
        return 0;
    }

    private record Run(double seconds, double ackP50, double ackP99, double visibleP50, double visibleP99) {
    }

    /** Sends the bodies over {@code connections} clients; paced at {@code perSecond} requests/s when above 0. */
    private Run run(Workload w, TandemConfig config, List<byte[]> bodies, int perSecond,
                    PrintWriter out) throws Exception {
        Path dir = BenchSupport.tempDir("tandem-bench-ingest");
        try (Tandem tandem = Tandem.start(config, TandemOptions.defaults(dir));
             TandemServer server = TandemServer.start(tandem, ServerOptions.loopback(0))) {
            URI uri = URI.create(server.url() + "/v1/streams/" + w.stream().name() + "/events");
            long[] latencies = new long[bodies.size()];
            long start = System.nanoTime();
            BenchSupport.send(uri, bodies, connections, perSecond, latencies);
            tandem.awaitCaughtUp(Duration.ofMinutes(5));
            double seconds = (System.nanoTime() - start) / 1e9;
            long[] sorted = BenchSupport.sorted(latencies, latencies.length);
            HistogramSnapshot visible = tandem.metrics().ingestToVisible().takeSnapshot();
            out.flush();
            return new Run(seconds, BenchSupport.percentile(sorted, 0.5) / 1e6,
                    BenchSupport.percentile(sorted, 0.99) / 1e6,
                    BenchSupport.percentile(visible, 0.5), BenchSupport.percentile(visible, 0.99));
        } finally {
            BenchSupport.deleteTree(dir);
            store.cleanUp();
        }
    }

}
