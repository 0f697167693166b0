package io.tandem.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * The HTTP client of every command that talks to a running server: it sends the API token as
 * {@code Authorization: Bearer TOKEN} and words every failure the same way, so that each command only prints the
 * message. A server that does not answer is {@link Unreachable}; an answer other than 2xx is a {@link ServerError}
 * carrying the server's {@code error} message.
 */
public final class ServerClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** No connection to the server: the message says where, and asks whether it runs. */
    public static final class Unreachable extends IOException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** An answer other than 2xx, with the server's {@code error} message. */
    public static final class ServerError extends IOException {
        private final int status;

        ServerError(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final URI base;
    private final String token;
    private final HttpClient http;

    /**
     * @param base  the server, e.g. {@code http://127.0.0.1:7070}
     * @param token the API token, or null or blank for none
     */
    public ServerClient(URI base, String token) {
        String url = base.toString();
        this.base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        this.token = token == null || token.isBlank() ? null : token;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The server's address, without a trailing slash. */
    public URI base() {
        return base;
    }

    /** A request for a path (with its query) on the server, carrying the token. */
    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    /**
     * Sends a request and returns the answer, whatever its status.
     *
     * @throws Unreachable when no connection can be made
     * @throws IOException for any other failure to exchange the request, with a message naming the server
     */
    public HttpResponse<String> exchange(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + base, e);
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /** GETs a path; returns the body of a 2xx answer. */
    public String get(String path) throws IOException {
        return body(exchange(request(path).GET().build()));
    }

    /** POSTs nothing to a path (a command such as a run); returns the body of a 2xx answer. */
    public String post(String path) throws IOException {
        return body(exchange(request(path).POST(HttpRequest.BodyPublishers.noBody()).build()));
    }

    /** POSTs a body to a path; returns the body of a 2xx answer. */
    public String post(String path, String contentType, String body) throws IOException {
        return body(exchange(request(path).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build()));
    }

    /** The body of a 2xx answer; otherwise a {@link ServerError} with the server's message. */
    public static String body(HttpResponse<String> r) throws ServerError {
        if (r.statusCode() / 100 != 2) {
            throw new ServerError(r.statusCode(), errorMessage(r));
        }
        return r.body();
    }

    /**
     * What an answer other than 2xx says: the server's {@code error} message, or the status and the start of the
     * body; a 401 also says how to give the token.
     */
    public static String errorMessage(HttpResponse<String> r) {
        String body = r.body() == null ? "" : r.body().strip();
        String message;
        try {
            JsonNode error = JSON.readTree(body).path("error").path("message");
            message = error.isTextual() ? error.asText() : null;
        } catch (IOException notJson) {
            message = null;
        }
        if (message == null) {
            message = "HTTP " + r.statusCode() + (body.isEmpty() ? ""
                    : ": " + (body.length() > 200 ? body.substring(0, 200) + "..." : body));
        }
        return r.statusCode() == 401 ? message + " (give the server's token with --token or TANDEM_API_TOKEN)"
                : message;
    }

    /** Parses a JSON answer. */
    public static JsonNode json(String body) throws IOException {
        return JSON.readTree(body);
    }

    /** A failed exchange, worded once for every command. */
    private IOException failure(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException) {
                return new Unreachable("cannot reach " + base + " (is `tandem serve` running there?)", e);
            }
        }
        if (e instanceof HttpTimeoutException) {
            return new IOException(base + " did not answer in time", e);
        }
        return new IOException("talking to " + base + ": " + (e.getMessage() == null ? e.toString()
                : e.getMessage()), e);
    }
}
