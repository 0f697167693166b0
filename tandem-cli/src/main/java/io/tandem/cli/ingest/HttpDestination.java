package io.tandem.cli.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.cli.client.ServerClient;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * A server: {@code POST {url}/v1/streams/{stream}/events} with {@code Idempotency-Key} and {@code Tandem-Sequence},
 * through the {@link ServerClient} (so with its API token, and its wording of an unreachable server). A 503 is
 * retried after its {@code Retry-After}, a transient network error after a backoff; a refused connection is not.
 */
public final class HttpDestination implements Destination {

    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);
    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

    private final ServerClient server;
    private final IngestOptions options;
    private final ObjectMapper mapper = new ObjectMapper();

    public HttpDestination(ServerClient server, IngestOptions options) {
        this.server = server;
        this.options = options;
    }

    @Override
    public Delivery deliver(String stream, String key, String sequence, byte[] body, int attempt) {
        String path = "/v1/streams/" + URLEncoder.encode(stream, StandardCharsets.UTF_8).replace("+", "%20")
                + "/events";
        HttpRequest request = server.request(path)
                .timeout(options.requestTimeout())
                .header("Content-Type", "application/x-ndjson")
                .header("Idempotency-Key", key)
                .header("Tandem-Sequence", sequence)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<String> response;
        try {
            response = server.exchange(request);
        } catch (ServerClient.Unreachable e) {
            return new Failed(e.getMessage(), false);
        } catch (IOException e) {
            return new Retry(Duration.ofMillis(Math.min(10_000, 250L << Math.min(attempt, 6))), e.getMessage());
        }
        int status = response.statusCode();
        if (status == 503) {
            return new Retry(retryAfter(response), "HTTP 503: " + ServerClient.errorMessage(response));
        }
        JsonNode answer = counts(response);
        if ((status == 200 || status == 400) && answer != null) {
            return new Answered(answer);
        }
        if (status == 413) {
            return new Failed("HTTP 413, the server refuses a body of " + body.length + " bytes: send smaller "
                    + "batches (now " + options.batchLines() + " lines)", true);
        }
        return new Failed("HTTP " + status + ": " + ServerClient.errorMessage(response), true);
    }

    /** An ingest answer with its accepted and rejected counts, or null for any other body. */
    private JsonNode counts(HttpResponse<String> response) {
        try {
            JsonNode body = mapper.readTree(response.body());
            return body.path("accepted").canConvertToLong() && body.path("rejected").canConvertToLong() ? body
                    : null;
        } catch (IOException notJson) {
            return null;
        }
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
}
