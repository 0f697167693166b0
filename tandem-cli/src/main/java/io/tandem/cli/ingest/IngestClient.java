package io.tandem.cli.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends a file of events to a Tandem server: {@code POST {url}/v1/streams/{stream}/events}, NDJSON bodies of
 * {@link IngestOptions#batchLines()} lines, {@link IngestOptions#concurrency()} requests in flight.
 *
 * <p>The file is NDJSON ({@code .ndjson}, {@code .jsonl}, {@code .json}: one object per line) or CSV with a header
 * ({@code .csv}). The server answers {@code {"accepted": N, "rejected": M, "errors": [{"line": L, "error": "..."}]}}
 * with L counted in the request body; the client maps L back to the file's line numbers.
 *
 * <p>Every request carries an {@code Idempotency-Key}: a hash of the stream name, the batch size and the file's
 * bytes, then the batch number. A 503 is retried after its {@code Retry-After} with the same key, so a retry never
 * counts an event twice, and sending the same file again after a failure only adds the batches the server has not
 * seen. The first failed request stops the send; the {@link IngestResult} says what was accepted until then.
 *
 * <p>Progress goes to the given stream: a bar redrawn in place when the process has a console, otherwise one line
 * every {@link #PROGRESS_EVERY}.
 */
public final class IngestClient {

    public static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);
    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
    private static final int BAR_WIDTH = 30;

    private final String baseUrl;
    private final IngestOptions options;
    private final PrintStream progress;
    private final boolean terminal;
    private final HttpClient http;
    private final ObjectMapper mapper = new ObjectMapper();

    /** A client whose progress goes to standard error. */
    public IngestClient(URI baseUrl, IngestOptions options) {
        this(baseUrl, options, System.err);
    }

    /** A client whose progress goes to {@code progress}, drawn as a bar when the process has a console. */
    public IngestClient(URI baseUrl, IngestOptions options, PrintStream progress) {
        String url = baseUrl.toString();
        this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.options = options;
        this.progress = progress;
        this.terminal = System.console() != null;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /**
     * Sends every event of {@code file} to {@code stream}.
     *
     * @return the counts, the first rejections by file line, and any failed request
     * @throws IOException              when the file cannot be opened or its CSV header is bad (nothing was sent)
     * @throws IllegalArgumentException when the file's name has no known ending
     */
    public IngestResult send(Path file, String stream) throws IOException {
        long started = System.nanoTime();
        long size = Files.size(file);
        URI target = URI.create(baseUrl + "/v1/streams/"
                + URLEncoder.encode(stream, StandardCharsets.UTF_8).replace("+", "%20") + "/events");
        Run run = new Run(file, stream, started);
        ExecutorService senders = Executors.newFixedThreadPool(options.concurrency(), daemon("tandem-ingest"));
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("tandem-progress"));
        Semaphore inFlight = new Semaphore(options.concurrency());
        try (EventFile events = EventFile.open(file, options.batchLines())) {
            String keyPrefix = keyPrefix(file, stream);
            long period = terminal ? 200 : PROGRESS_EVERY.toMillis();
            ticker.scheduleAtFixedRate(() -> run.report(events.bytesRead(), size), period, period,
                    TimeUnit.MILLISECONDS);
            for (int number = 0; !run.stopped(); number++) {
                EventFile.Batch batch;
                try {
                    batch = events.next(number);
                } catch (IOException | UncheckedIOException e) {
                    run.fail("reading " + file + ": " + e.getMessage());
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
                senders.execute(() -> {
                    try {
                        post(target, keyPrefix + "-" + batch.number(), batch, run);
                    } finally {
                        inFlight.release();
                    }
                });
            }
            senders.shutdown();
            awaitQuietly(senders);
            if (terminal) {
                run.report(size, size);
                progress.println();
            }
        } finally {
            senders.shutdownNow();
            ticker.shutdownNow();
        }
        return run.result();
    }

    private void post(URI target, String key, EventFile.Batch batch, Run run) {
        for (int attempt = 1; !run.stopped(); attempt++) {
            HttpRequest request = HttpRequest.newBuilder(target)
                    .timeout(options.requestTimeout())
                    .header("Content-Type", "application/x-ndjson")
                    .header("Idempotency-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(batch.body()))
                    .build();
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (isConnectionRefused(e)) {
                    run.fail("cannot connect to " + baseUrl + " (connection refused): is the Tandem server running?");
                    return;
                }
                if (attempt < options.maxAttempts()) {
                    sleep(Duration.ofMillis(Math.min(10_000, 250L << Math.min(attempt, 6))));
                    continue;
                }
                run.fail(describe(batch) + ": " + e);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                run.fail(describe(batch) + ": interrupted");
                return;
            }
            int status = response.statusCode();
            if (status == 503 && attempt < options.maxAttempts()) {
                sleep(retryAfter(response));
                continue;
            }
            if (status == 200 || status == 400) {
                try {
                    run.answer(batch, mapper.readTree(response.body()));
                    return;
                } catch (IOException | IllegalArgumentException e) {
                    run.fail(describe(batch) + ": HTTP " + status + " with an unexpected body: " + snippet(response));
                    return;
                }
            }
            if (status == 413) {
                run.fail(describe(batch) + ": HTTP 413, the server refuses a body of " + batch.body().length
                        + " bytes: send smaller batches (now " + options.batchLines() + " lines)");
            } else {
                run.fail(describe(batch) + ": HTTP " + status + " " + snippet(response));
            }
            return;
        }
    }

    private static boolean isConnectionRefused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    /** The delay a 503 asks for: {@code Retry-After} in seconds or as an HTTP date, at most a minute. */
    static Duration retryAfter(HttpResponse<?> response) {
        String value = response.headers().firstValue("Retry-After").orElse("").trim();
        Duration delay;
        try {
            delay = Duration.ofSeconds(Long.parseLong(value));
        } catch (NumberFormatException e) {
            try {
                delay = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
            } catch (DateTimeParseException e2) {
                delay = DEFAULT_RETRY_AFTER;
            }
        }
        if (delay.isNegative()) {
            return Duration.ZERO;
        }
        return delay.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : delay;
    }

    private static String describe(EventFile.Batch batch) {
        long[] lines = batch.fileLines();
        return "lines " + lines[0] + "-" + lines[lines.length - 1];
    }

    private static String snippet(HttpResponse<String> response) {
        String body = response.body() == null ? "" : response.body().strip();
        return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }

    /** Hash of the stream, the batch size and the file's bytes: the same send always makes the same keys. */
    private String keyPrefix(Path file, String stream) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((stream + "\n" + options.batchLines() + "\n").getBytes(StandardCharsets.UTF_8));
            byte[] buf = new byte[1 << 16];
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    sha.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
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
        private final Path file;
        private final String stream;
        private final long started;
        private final AtomicLong lines = new AtomicLong();
        private final AtomicLong accepted = new AtomicLong();
        private final AtomicLong rejected = new AtomicLong();
        private final TreeMap<Long, String> errors = new TreeMap<>();
        private final List<String> failures = new ArrayList<>();
        private volatile boolean stopped;

        Run(Path file, String stream, long started) {
            this.file = file;
            this.stream = stream;
            this.started = started;
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
            if (!body.path("accepted").canConvertToLong() || !body.path("rejected").canConvertToLong()) {
                throw new IllegalArgumentException("no accepted and rejected counts");
            }
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

        void report(long bytesRead, long size) {
            double seconds = (System.nanoTime() - started) / 1e9;
            long done = accepted.get();
            double percent = size == 0 ? 100 : 100.0 * bytesRead / size;
            String counts = String.format(Locale.ROOT, "%,d accepted, %,d rejected, %,.0f events/s", done,
                    rejected.get(), seconds > 0 ? done / seconds : 0);
            if (terminal) {
                int filled = (int) Math.min(BAR_WIDTH, Math.round(percent / 100 * BAR_WIDTH));
                progress.print(String.format(Locale.ROOT, "\r[%s%s] %3.0f%%  %s", "=".repeat(filled),
                        " ".repeat(BAR_WIDTH - filled), percent, counts));
            } else {
                progress.println(String.format(Locale.ROOT, "ingest %s: %.0f%% read, %s", file.getFileName(),
                        percent, counts));
            }
            progress.flush();
        }

        synchronized IngestResult result() {
            List<IngestResult.LineError> first = new ArrayList<>();
            for (Map.Entry<Long, String> e : errors.entrySet()) {
                first.add(new IngestResult.LineError(e.getKey(), e.getValue()));
            }
            return new IngestResult(file, stream, lines.get(), accepted.get(), rejected.get(), first, failures,
                    Duration.ofNanos(System.nanoTime() - started));
        }
    }
}
