package io.tandem.cli.ingest;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;

/**
 * Where {@link IngestClient} delivers the requests of a send: a server over HTTP ({@link HttpDestination}) or a
 * Tandem in this process ({@link LocalDestination}, for {@code tandem replay} into a data directory).
 */
public interface Destination {

    /**
     * One try at one request: NDJSON {@code body} for {@code stream}, with its idempotency key and its place in
     * the send's ordered session ({@code <session>/<n>}).
     *
     * @param attempt the try, from 1
     */
    Delivery deliver(String stream, String key, String sequence, byte[] body, int attempt);

    /** What a try came to. */
    sealed interface Delivery permits Answered, Retry, Failed {
    }

    /** Taken: the ingest answer {@code {"accepted": N, "rejected": M, "errors": [{"line", "error"}]}}. */
    record Answered(JsonNode answer) implements Delivery {
    }

    /** Not taken this time (overloaded, a transient error): try again after {@code after}. */
    record Retry(Duration after, String why) implements Delivery {
    }

    /**
     * Refused for good: the send stops.
     *
     * @param aboutRequest the reason is this request's, and the failure names its lines
     */
    record Failed(String why, boolean aboutRequest) implements Delivery {
    }
}
