package io.tandem.cli.ingest;

import java.time.Duration;

/**
 * How {@link IngestClient} sends a file.
 *
 * @param batchLines     events per request
 * @param concurrency    requests in flight at once
 * @param maxAttempts    attempts per request, counting retries after 503 (overloaded) and after transient network
 *                       errors; a refused connection is not retried
 * @param requestTimeout the longest wait for one response
 */
public record IngestOptions(int batchLines, int concurrency, int maxAttempts, Duration requestTimeout) {

    public static final int DEFAULT_BATCH_LINES = 5000;
    public static final int DEFAULT_CONCURRENCY = 4;
    public static final int DEFAULT_MAX_ATTEMPTS = 10;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);

    public IngestOptions {
        positive("batch lines", batchLines);
        positive("concurrency", concurrency);
        positive("max attempts", maxAttempts);
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request timeout must be positive, got " + requestTimeout);
        }
    }

    /** 5000 lines per request, 4 requests in flight, 10 attempts, 60 s timeout. */
    public static IngestOptions defaults() {
        return new IngestOptions(DEFAULT_BATCH_LINES, DEFAULT_CONCURRENCY, DEFAULT_MAX_ATTEMPTS,
                DEFAULT_REQUEST_TIMEOUT);
    }

    public IngestOptions withBatchLines(int lines) {
        return new IngestOptions(lines, concurrency, maxAttempts, requestTimeout);
    }

    public IngestOptions withConcurrency(int requests) {
        return new IngestOptions(batchLines, requests, maxAttempts, requestTimeout);
    }

    private static void positive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + value);
        }
    }
}
