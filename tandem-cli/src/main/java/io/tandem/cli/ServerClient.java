package io.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A few JSON calls to a running server, for the commands that are thin clients of the HTTP API. */
final class ServerClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An answer other than 2xx, with the server's {@code error} message. */
    static final class ServerError extends Exception {
        final int status;

        ServerError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    ServerClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** POSTs a body; returns the raw JSON answer. */
    String post(String path, String contentType, String body) throws IOException, ServerError {
        return send(request(path).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    String get(String path) throws IOException, ServerError {
        return send(request(path).GET().build());
    }

    static JsonNode json(String body) throws IOException {
        return JSON.readTree(body);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (token != null && !token.isBlank()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private String send(HttpRequest request) throws IOException, ServerError {
        HttpResponse<String> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IOException("cannot reach " + base + " (is `tandem serve` running there?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (r.statusCode() / 100 != 2) {
            String message = r.body();
            try {
                JsonNode error = JSON.readTree(r.body()).path("error");
                if (error.isTextual()) {
                    message = error.asText();
                }
            } catch (IOException notJson) {
                message = "HTTP " + r.statusCode() + ": " + r.body();
            }
            throw new ServerError(r.statusCode(), message);
        }
        return r.body();
    }
}
