package io.tandem.cli;

import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.tandem.cli.gen.Workload;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;
import io.tandem.spi.log.EventLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/** What the benchmarks share: workload configs, NDJSON rendering, percentiles, the machine line. */
final class BenchSupport {

    private BenchSupport() {
    }

    static TandemConfig config(Workload w) {
        return new TandemConfig(TandemConfig.DEFAULT_EPOCH_MS, Map.of(w.stream().name(), w.stream()),
                Map.of(w.view().name(), w.view()));
    }

    /** Renders event g of a workload as one NDJSON line (event time as epoch milliseconds). */
    static final class JsonRenderer {
        private final Workload workload;
        private final StreamDef stream;
        private final RowCodec.Builder builder;
        private final BinaryRow row;
        private final StringBuilder line = new StringBuilder(128);

        JsonRenderer(Workload workload) {
            this.workload = workload;
            this.stream = workload.stream();
            RowCodec codec = new RowCodec(stream);
            this.builder = codec.builder();
            this.row = codec.reader();
        }

        String line(long g) {
            workload.generate(g, builder);
            byte[] payload = builder.encode();
            row.reset(payload, 0, payload.length, 0, 0);
            line.setLength(0);
            line.append("{\"").append(stream.timeField()).append("\":").append(row.eventTime());
            for (int i = 0; i < stream.fields().size(); i++) {
                Object v = row.get(i);
                line.append(",\"").append(stream.field(i).name()).append("\":");
                if (v instanceof String s) {
                    line.append('"').append(s).append('"');
                } else {
                    line.append(v);
                }
            }
            return line.append('}').toString();
        }
    }

    /**
     * Generates every event of a workload into a log, in units of 4,096 round-robin over the partitions, with up to
     * 64 units awaiting their group-commit fsync; returns once all are durable.
     */
    static void appendAll(EventLog log, Workload w) {
        RowCodec.Builder builder = new RowCodec(w.stream()).builder();
        ArrayDeque<CompletableFuture<Long>> pending = new ArrayDeque<>();
        int partition = 0;
        for (long g = 0; g < w.events(); g += 4096) {
            int n = (int) Math.min(4096, w.events() - g);
            List<byte[]> payloads = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                w.generate(g + i, builder);
                payloads.add(builder.encode());
            }
            pending.add(log.append(partition, null, payloads));
            partition = (partition + 1) % log.partitions();
            while (pending.size() > 64) {
                pending.poll().join();
            }
        }
        pending.forEach(CompletableFuture::join);
    }

    /**
     * Posts NDJSON to {@code url} at a fixed rate until {@code running} turns false: every 10 ms one request of
     * {@code rate / 100} lines, line number n of the run made by {@code line.apply(n, now)}.
     */
    static void paced(String url, int rate, AtomicBoolean running, LineMaker line) {
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create(url);
        int perRequest = Math.max(1, rate / 100);
        long start = System.nanoTime();
        long sent = 0;
        for (long i = 0; running.get(); i++) {
            LockSupport.parkNanos(start + i * TimeUnit.MILLISECONDS.toNanos(10) - System.nanoTime());
            StringBuilder body = new StringBuilder(perRequest * 100);
            long now = System.currentTimeMillis();
            for (int k = 0; k < perRequest; k++, sent++) {
                body.append(line.make(sent, now)).append('\n');
            }
            post(http, uri, body.toString());
        }
    }

    /** The NDJSON bodies of events {@code [from, from + n)} of a workload, {@code perBody} lines each. */
    static List<byte[]> bodies(Workload w, long from, long n, int perBody) {
        JsonRenderer json = new JsonRenderer(w);
        List<byte[]> bodies = new ArrayList<>();
        StringBuilder body = new StringBuilder(perBody * 100);
        for (long g = from; g < from + n; g++) {
            body.append(json.line(g)).append('\n');
            if ((g - from + 1) % perBody == 0 || g == from + n - 1) {
                bodies.add(body.toString().getBytes(StandardCharsets.UTF_8));
                body.setLength(0);
            }
        }
        return bodies;
    }

    /**
     * Posts the bodies to {@code uri} over {@code connections} clients, paced at {@code perSecond} requests/s when
     * above 0, and returns the seconds it took; anything but 200 fails the benchmark.
     *
     * @param latencies null, or receives each request's latency in nanoseconds, by body
     */
    static double send(URI uri, List<byte[]> bodies, int connections, int perSecond, long[] latencies)
            throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicInteger next = new AtomicInteger();
        List<Exception> failures = new ArrayList<>();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Thread t = new Thread(() -> {
                try {
                    for (int i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
                        if (perSecond > 0) {
                            LockSupport.parkNanos(start + TimeUnit.SECONDS.toNanos(1) * i / perSecond
                                    - System.nanoTime());
                        }
                        long sent = System.nanoTime();
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
                                .header("Content-Type", "application/x-ndjson")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i))).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (latencies != null) {
                            latencies[i] = System.nanoTime() - sent;
                        }
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
                        }
                    }
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }, "bench-client-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Makes line number n of a paced run, at wall-clock time {@code nowMs}. */
    @FunctionalInterface
    interface LineMaker {
        String make(long n, long nowMs);
    }

    /** Posts an NDJSON body; anything but 200 is a failure of the benchmark. */
    static void post(HttpClient http, URI uri, String body) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Content-Type",
                    "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The q-quantile (0..1) of sorted values, nearest rank. */
    /** The quantile {@code q} of a timer's snapshot in milliseconds; NaN when the timer does not publish it. */
    static double percentile(HistogramSnapshot snapshot, double q) {
        for (ValueAtPercentile v : snapshot.percentileValues()) {
            if (v.percentile() == q) {
                return v.value(TimeUnit.MILLISECONDS);
            }
        }
        return Double.NaN;
    }

    static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static long[] sorted(long[] values, int n) {
        long[] out = Arrays.copyOf(values, n);
        Arrays.sort(out);
        return out;
    }

    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, JDK " + System.getProperty("java.version")
                + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
