package io.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code tandem batch}: runs the batch layer on a running server and shows its progress. */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = "Run the batch layer now: newly sealed epochs, or the whole lake with --full.")
final class BatchRunCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--url", defaultValue = "http://127.0.0.1:7070",
            description = "The server (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--full", description = "Recompute every batch view from the whole lake.")
    boolean full;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> run = http.sendAsync(HttpRequest.newBuilder(
                url.resolve("/v1/batch/run?wait=true&full=" + full)).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        boolean console = System.console() != null;
        while (!run.isDone()) {
            if (console) {
                progress(http);
            }
            try {
                run.get(250, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                continue;
            }
        }
        HttpResponse<String> response = run.join();
        PrintWriter out = spec.commandLine().getOut();
        if (console) {
            System.err.print("\r" + " ".repeat(60) + "\r");
        }
        if (response.statusCode() != 200) {
            spec.commandLine().getErr().println("error: HTTP " + response.statusCode() + ": " + response.body());
            return 1;
        }
        JsonNode r = JSON.readTree(response.body());
        out.printf("batch run: %s, version %d, boundary epoch %s (until %s), %,d lake rows read, %,d view rows, "
                        + "%d ms%n", r.path("status").asText(), r.path("version").asLong(),
                r.path("boundary").path("epoch").asText(), r.path("boundary").path("until").asText(),
                r.path("lake_rows_read").asLong(), r.path("view_rows").asLong(), r.path("duration_ms").asLong());
        r.path("drift").fields().forEachRemaining(v -> out.printf("  %s: %d of %d groups differ between hot and "
                        + "batch (max relative difference %.3g)%n", v.getKey(),
                v.getValue().path("buckets_differing").asLong(), v.getValue().path("buckets_compared").asLong(),
                v.getValue().path("max_relative_difference").asDouble()));
        if (!r.path("note").isNull() && !r.path("note").asText().isEmpty()) {
            out.println("  note: " + r.path("note").asText());
        }
        return r.path("status").asText().equals("failed") ? 1 : 0;
    }

    private void progress(HttpClient http) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(url.resolve("/v1/batch")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode runs = JSON.readTree(r.body()).path("runs");
        if (runs.isEmpty() || !runs.get(0).path("status").asText().equals("running")) {
            return;
        }
        double p = runs.get(0).path("progress").asDouble();
        int filled = (int) Math.round(p * 30);
        System.err.printf("\r[%s%s] %3.0f%%  %,d lake rows", "#".repeat(filled), " ".repeat(30 - filled), p * 100,
                runs.get(0).path("lake_rows_read").asLong());
    }
}
