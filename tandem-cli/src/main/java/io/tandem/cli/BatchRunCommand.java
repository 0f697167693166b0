package io.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.cli.client.ServerClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code tandem batch}: runs the batch layer on a running server and shows its progress. */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = "Run the batch layer now: newly sealed epochs, or the whole lake with --full.")
final class BatchRunCommand implements Callable<Integer> {

    @CommandLine.Mixin
    ClientOptions server;

    @Option(names = "--full", description = "Recompute every batch view from the whole lake.")
    boolean full;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ServerClient client = server.client();
        CompletableFuture<String> run = new CompletableFuture<>();
        Thread sender = new Thread(() -> {
            try {
                run.complete(client.post("/v1/batch/run?wait=true&full=" + full));
            } catch (IOException | RuntimeException e) {
                run.completeExceptionally(e);
            }
        }, "tandem-batch-run");
        sender.setDaemon(true);
        sender.start();
        boolean console = System.console() != null;
        PrintWriter err = spec.commandLine().getErr();
        String body = null;
        while (body == null) {
            try {
                body = run.get(250, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                if (console) {
                    progress(client, err);
                }
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
        if (console) {
            err.print("\r" + " ".repeat(60) + "\r");
            err.flush();
        }
        JsonNode r = ServerClient.json(body);
        PrintWriter out = spec.commandLine().getOut();
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

    private static void progress(ServerClient client, PrintWriter err) throws IOException {
        JsonNode runs = ServerClient.json(client.get("/v1/batch")).path("runs");
        if (runs.isEmpty() || !runs.get(0).path("status").asText().equals("running")) {
            return;
        }
        double p = runs.get(0).path("progress").asDouble();
        int filled = (int) Math.round(p * 30);
        err.printf("\r[%s%s] %3.0f%%  %,d lake rows", "#".repeat(filled), " ".repeat(30 - filled), p * 100,
                runs.get(0).path("lake_rows_read").asLong());
        err.flush();
    }
}
