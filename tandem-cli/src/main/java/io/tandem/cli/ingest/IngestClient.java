package io.tandem.cli.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.cli.client.ServerClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends events to a Tandem, a server or one in this process (a {@link Destination}): NDJSON requests of
 * {@link IngestOptions#batchLines()} lines, {@link IngestOptions#concurrency()} in flight. Over HTTP they are
 * {@code POST {url}/v1/streams/{stream}/events} through the {@link ServerClient} ({@link HttpDestination}).
 *
 * <p>The input is NDJSON (one object per line) or CSV with a header, from a file (decompressed when its name ends
 * in {@code .gz}) or from standard input (see {@link EventInput}). The server answers
 * {@code {"accepted": N, "rejected": M, "errors": [{"line": L, "error": "..."}]}} with L counted in the request
 * body; the client maps L back to the input's line numbers.
 *
 * <p>Every request carries an {@code Idempotency-Key}: for a file, a hash of the stream name, the batch size and the
 * file's bytes, then the batch number, so that sending the same file again after a failure only adds the batches
 * the server has not seen; for standard input, which cannot be read twice, a random prefix, so that only retries
 * within one send are safe. A 503 is retried after its {@code Retry-After} with the same key, so a retry never
 * counts an event twice. The first failed request stops the send; the {@link IngestResult} says what was accepted
 * until then.
 *
 * <p>Every request also carries {@code Tandem-Sequence: <key prefix>/<n>}, numbering the requests sent from 0: the
 * server appends them in that order into one partition, so that the file's order is the arrival order even with
 * several requests in flight, and ties in {@code first} and {@code last} resolve as the file says.
 *
 * <p>Progress goes to the given stream: a bar redrawn in place when the process has a console, otherwise one line
 * every {@link #PROGRESS_EVERY}, and once more at the end. It counts the lines the server has answered for (accepted
 * or rejected), not the lines sent, out of the file's lines counted beforehand; for standard input it shows the
 * counts alone.
 */
public final class IngestClient {

    public static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    private static final int BAR_WIDTH = 30;

    private final Destination destination;
    private final IngestOptions options;
    private final PrintWriter progress;
    private final boolean terminal;

    /** A client of a server, whose progress goes to {@code progress}, drawn as a bar when there is a console. */
    public IngestClient(ServerClient server, IngestOptions options, PrintWriter progress) {
        this(new HttpDestination(server, options), options, progress);
    }

    /** A client that delivers to {@code destination}. */
    public IngestClient(Destination destination, IngestOptions options, PrintWriter progress) {
        this.destination = destination;
        this.options = options;
        this.progress = progress;
        this.terminal = System.console() != null;
    }

    /**
     * Sends every event of {@code input} to {@code stream}.
     *
     * @return the counts, the first rejections by line, and any failed request
     * @throws IOException when the file cannot be read or its CSV header is bad (nothing was sent)
     */
    public IngestResult send(EventInput input, String stream) throws IOException {
        long started = System.nanoTime();
        if (input.format() == EventInput.Format.PARQUET) {
            EventFile.parquetSchema(input);
        }
        Scan scan = input.file() == null ? new Scan(UUID.randomUUID().toString().replace("-", ""), -1)
                : scan(input, stream);
        Run run = new Run(input.name(), stream, started, scan.lines);
        ExecutorService senders = Executors.newFixedThreadPool(options.concurrency(), daemon("tandem-ingest"));
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("tandem-progress"));
        Semaphore inFlight = new Semaphore(options.concurrency());
        try (EventFile events = EventFile.open(input, options.batchLines())) {
            long period = terminal ? 200 : PROGRESS_EVERY.toMillis();
            ticker.scheduleAtFixedRate(() -> run.report(false), period, period, TimeUnit.MILLISECONDS);
            long sent = 0;
            for (int number = 0; !run.stopped(); number++) {
                EventFile.Batch batch;
                try {
                    batch = events.next(number);
                } catch (IOException | UncheckedIOException e) {
                    run.fail("reading " + input.name() + ": " + e.getMessage());
                    break;
                }
                if (batch == null) {
                    break;
                }
                run.read(batch);
                if (batch.fileLines().length == 0) {
                    continue;
                }
                inFlight.acquireUninterruptibly();
                String sequence = scan.keyPrefix() + "/" + sent++;
                senders.execute(() -> {
                    try {
                        deliver(stream, scan.keyPrefix() + "-" + batch.number(), sequence, batch, run);
                    } finally {
                        inFlight.release();
                    }
                });
            }
            senders.shutdown();
            awaitQuietly(senders);
            ticker.shutdownNow();
            run.report(true);
            if (terminal) {
                progress.println();
            }
        } finally {
            senders.shutdownNow();
            ticker.shutdownNow();
        }
        return run.result();
    }

    private void deliver(String stream, String key, String sequence, EventFile.Batch batch, Run run) {
        for (int attempt = 1; !run.stopped(); attempt++) {
            Destination.Delivery d = destination.deliver(stream, key, sequence, batch.body(), attempt);
            if (d instanceof Destination.Answered a) {
                run.answer(batch, a.answer());
            } else if (d instanceof Destination.Retry r) {
                if (attempt < options.maxAttempts() && !Thread.currentThread().isInterrupted()) {
                    sleep(r.after());
                    continue;
                }
                run.fail(describe(batch) + ": " + r.why());
            } else if (d instanceof Destination.Failed f) {
                run.fail(f.aboutRequest() ? describe(batch) + ": " + f.why() : f.why());
            }
            return;
        }
    }

    private static String describe(EventFile.Batch batch) {
        long[] lines = batch.fileLines();
        return "lines " + lines[0] + "-" + lines[lines.length - 1];
    }

    /** What the send learns from reading the file once first: its idempotency key prefix and its line count. */
    private record Scan(String keyPrefix, long lines) {
    }

    /**
     * Reads the file once: a hash of the stream, the batch size and the file's bytes (the same send always makes
     * the same keys), and the number of lines that hold an event (the non-blank ones, less a CSV's header).
     */
    private Scan scan(EventInput input, String stream) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        sha.update((stream + "\n" + options.batchLines() + "\n").getBytes(StandardCharsets.UTF_8));
        long lines = 0;
        boolean content = false;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = input.open()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == '\n') {
                        lines += content ? 1 : 0;
                        content = false;
                    } else if (b != ' ' && b != '\t' && b != '\r') {
                        content = true;
                    }
                }
            }
        }
        lines += content ? 1 : 0;
        if (input.format() == EventInput.Format.CSV) {
            lines = Math.max(0, lines - 1);
        } else if (input.format() == EventInput.Format.PARQUET) {
            lines = ParquetEvents.rows(input.file());
        }
        return new Scan(HexFormat.of().formatHex(sha.digest(), 0, 16), lines);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            pool.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The state of one send, shared by the reader, the senders and the progress ticker. */
    private final class Run {
        private final String input;
        private final String stream;
        private final long started;
        private final long expected;
        private final AtomicLong lines = new AtomicLong();
        private final AtomicLong accepted = new AtomicLong();
        private final AtomicLong rejected = new AtomicLong();
        private final TreeMap<Long, String> errors = new TreeMap<>();
        private final List<String> failures = new ArrayList<>();
        private volatile boolean stopped;

        /** @param expected the lines counted beforehand, or -1 when unknown */
        Run(String input, String stream, long started, long expected) {
            this.input = input;
            this.stream = stream;
            this.started = started;
            this.expected = expected;
        }

        boolean stopped() {
            return stopped;
        }

        void read(EventFile.Batch batch) {
            lines.addAndGet(batch.fileLines().length + batch.localErrors().size());
            rejected.addAndGet(batch.localErrors().size());
            batch.localErrors().forEach(e -> error(e.line(), e.error()));
        }

        void answer(EventFile.Batch batch, JsonNode body) {
            accepted.addAndGet(body.get("accepted").asLong());
            rejected.addAndGet(body.get("rejected").asLong());
            long[] fileLines = batch.fileLines();
            for (JsonNode e : body.path("errors")) {
                int line = e.path("line").asInt(0);
                String error = e.path("error").asText("");
                if (line >= 1 && line <= fileLines.length) {
                    error(fileLines[line - 1], error);
                } else {
                    error(fileLines[0], "(request line " + line + " of " + describe(batch) + ") " + error);
                }
            }
        }

        synchronized void error(long line, String error) {
            errors.merge(line, error, (a, b) -> a + "; " + b);
            if (errors.size() > IngestResult.MAX_ERRORS) {
                errors.pollLastEntry();
            }
        }

        synchronized void fail(String failure) {
            stopped = true;
            failures.add(failure);
        }

        /**
         * Draws the progress: the lines answered out of those expected.
         *
         * @param finished the send is over: a send that read everything without failing is drawn full
         */
        void report(boolean finished) {
            double seconds = (System.nanoTime() - started) / 1e9;
            long done = accepted.get();
            long answered = done + rejected.get();
            long total = finished && !stopped ? answered : expected;
            String counts = String.format(Locale.ROOT, "%,d accepted, %,d rejected, %,.0f events/s", done,
                    rejected.get(), seconds > 0 ? done / seconds : 0);
            String line;
            if (total < 0) {
                line = terminal ? "\r" + counts : "ingest " + input + ": " + counts;
            } else {
                double fraction = total == 0 ? 1 : Math.min(1, (double) answered / total);
                int filled = (int) Math.round(fraction * BAR_WIDTH);
                line = terminal ? String.format(Locale.ROOT, "\r[%s%s] %3.0f%%  %s", "=".repeat(filled),
                        " ".repeat(BAR_WIDTH - filled), fraction * 100, counts)
                        : String.format(Locale.ROOT, "ingest %s: %.0f%% answered, %s", input, fraction * 100,
                        counts);
            }
            if (terminal) {
                progress.print(line);
            } else {
                progress.println(line);
            }
            progress.flush();
        }

        synchronized IngestResult result() {
            List<IngestResult.LineError> first = new ArrayList<>();
            for (Map.Entry<Long, String> e : errors.entrySet()) {
                first.add(new IngestResult.LineError(e.getKey(), e.getValue()));
            }
            return new IngestResult(input, stream, lines.get(), accepted.get(), rejected.get(), first, failures,
                    Duration.ofNanos(System.nanoTime() - started));
        }
    }
}
