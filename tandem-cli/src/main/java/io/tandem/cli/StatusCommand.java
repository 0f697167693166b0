package io.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.tandem.cli.client.ServerClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code tandem status}: the dashboard's Overview of a running server, in the terminal. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the health of both paths of a running Tandem (the dashboard's Overview): ingest rate, "
                + "hot-path lag and latency, the batch boundary, the last batch run, drift, rejected events and "
                + "each stream.")
final class StatusCommand implements Callable<Integer> {

    @CommandLine.Mixin
    ClientOptions server;

    @Option(names = "--format", defaultValue = "table",
            description = "table (the Overview) or json (the server's GET /v1/status; default: ${DEFAULT-VALUE}).")
    Format format;

    /** How to print the status. */
    enum Format { table, json }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String body = server.client().get("/v1/status");
        PrintWriter out = spec.commandLine().getOut();
        if (format == Format.json) {
            out.println(body);
            return 0;
        }
        JsonNode status = ServerClient.json(body);
        JsonNode o = status.path("overview");
        out.printf("Tandem at %s, up %s%n", server.url, age(status.path("uptime_seconds")));
        line(out, "ingest rate", o.path("ingest_rate").isNull() ? "-"
                : String.format("%,.0f events/s", o.path("ingest_rate").asDouble()), String.format(
                "%,d accepted since start", o.path("accepted").asLong()));
        line(out, "hot-path lag", String.format("%,d events", o.path("hot_path_lag").asLong()), "");
        line(out, "ingest to visible", ms(o.path("ingest_to_visible_p99_ms")) + " p99",
                ms(o.path("ingest_to_visible_p50_ms")) + " p50");
        line(out, "alert latency", ms(o.path("alert_latency_p99_ms")) + " p99", "");
        JsonNode b = o.path("boundary");
        line(out, "batch boundary", b.path("epoch").isNull() ? "-" : age(b.path("age_seconds")) + " behind",
                b.path("epoch").isNull() ? "no batch run has published yet" : "epoch " + b.path("epoch").asText()
                        + ", arrivals until " + b.path("until").asText() + ", v" + b.path("version").asText());
        line(out, "last batch run", lastRun(o.path("last_run"), o.path("cold_path")), lastRunDetail(o));
        JsonNode d = o.path("drift");
        line(out, "drift", d.isObject() ? d.path("buckets_differing").asLong() == 0 ? "none"
                        : String.format("%.2g%%", d.path("max_relative_difference").asDouble() * 100) : "-",
                d.isObject() ? String.format("%,d of %,d groups differ, v%s", d.path("buckets_differing").asLong(),
                        d.path("buckets_compared").asLong(), d.path("version").asText()) : "no reconciled run yet");
        line(out, "rejected", String.format("%,d", o.path("rejected").asLong()),
                String.format("%,d late after close", o.path("late_after_close").asLong()));
        line(out, "live subscribers", String.valueOf(o.path("live").path("subscribers").asLong()), "");
        streams(status.path("streams"), out);
        return 0;
    }

    private static void line(PrintWriter out, String name, String value, String detail) {
        out.println(String.format("  %-18s %-22s %s", name, value, detail).stripTrailing());
    }

    private static String lastRun(JsonNode run, JsonNode cold) {
        if ("failed".equals(cold.path("status").asText())) {
            return "failed";
        }
        return run.isObject() ? run.path("status").asText() : "-";
    }

    private static String lastRunDetail(JsonNode o) {
        JsonNode cold = o.path("cold_path");
        if ("failed".equals(cold.path("status").asText())) {
            return cold.path("stage").asText() + ": " + cold.path("error").asText() + " (" + cold.path("attempts")
                    .asLong() + " attempts)";
        }
        JsonNode run = o.path("last_run");
        if (!run.isObject()) {
            return "no batch run yet";
        }
        return "v" + run.path("version").asText() + (run.path("full").asBoolean() ? " (full)" : "")
                + ("running".equals(run.path("status").asText())
                ? String.format(", %.0f%% done", run.path("progress").asDouble() * 100)
                : ", took " + run.path("duration_ms").asLong() + " ms, " + run.path("finished").asText());
    }

    private static void streams(JsonNode streams, PrintWriter out) {
        List<String> columns = List.of("stream", "accepted", "rejected", "lag", "watermark", "failures");
        List<List<JsonNode>> rows = new ArrayList<>();
        streams.fields().forEachRemaining(e -> {
            JsonNode s = e.getValue();
            JsonNode failures = s.path("hot_path_failures");
            rows.add(List.of(text(e.getKey()), s.path("accepted"), s.path("rejected"), s.path("hot_path_lag"),
                    s.path("watermark").isTextual() ? s.path("watermark") : text("-"),
                    text(failures.isObject() && failures.size() > 0 ? failures.toString()
                            : "")));
        });
        if (!rows.isEmpty()) {
            out.println();
            SqlCommand.table(columns, rows, out);
        }
    }

    private static JsonNode text(String s) {
        return TextNode.valueOf(s);
    }

    private static String ms(JsonNode v) {
        return v.isNull() || v.isMissingNode() ? "-" : v.asLong() + " ms";
    }

    private static String age(JsonNode seconds) {
        if (seconds.isNull() || seconds.isMissingNode()) {
            return "-";
        }
        long s = seconds.asLong();
        return s < 120 ? s + " s" : s < 7_200 ? s / 60 + " min" : s / 3_600 + " h";
    }
}
