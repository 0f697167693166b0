package io.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.tandem.cli.client.ServerClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code tandem query}: a merged view of a running server over a time range, as {@code GET /v1/views/{view}}. */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = {"Query a merged view of a running Tandem: every bucket overlapping [from, to), each counted "
                + "once from the batch views and the real-time store.",
                "Example: tandem query trades_1m --from 2026-11-26T10:00:00Z --to 2026-11-26T11:00:00Z "
                        + "--where symbol=ACME"})
final class QueryCommand implements Callable<Integer> {

    @CommandLine.Mixin
    ClientOptions server;

    @Parameters(index = "0", paramLabel = "VIEW", description = "The view (GET /v1/views lists them).")
    String view;

    @Option(names = "--from", required = true, paramLabel = "T",
            description = "The first time, inclusive: ISO-8601 (2026-11-26T10:00:00Z) or epoch ms.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "T", description = "The end time, exclusive.")
    String to;

    @Option(names = "--granularity", paramLabel = "G",
            description = "Buckets of G (a multiple of the view's granularity, like 5m or 1h; default the view's).")
    String granularity;

    @Option(names = "--where", paramLabel = "DIM=VALUE",
            description = "Only the rows whose dimension DIM is VALUE; repeat for more dimensions.")
    List<String> where = new ArrayList<>();

    @Option(names = "--format", defaultValue = "table",
            description = "table (aligned columns), json (the server's answer) or csv (default: ${DEFAULT-VALUE}).")
    SqlCommand.Format format;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        StringBuilder path = new StringBuilder("/v1/views/").append(encode(view)).append("?from=")
                .append(encode(from)).append("&to=").append(encode(to));
        if (granularity != null) {
            path.append("&granularity=").append(encode(granularity));
        }
        for (String w : where) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--where: expected DIM=VALUE (like symbol=ACME), got '" + w + "'");
            }
            path.append('&').append(encode(w.substring(0, eq))).append('=').append(encode(w.substring(eq + 1)));
        }
        String body = server.client().get(path.toString());
        PrintWriter out = spec.commandLine().getOut();
        if (format == SqlCommand.Format.json) {
            out.println(body);
            return 0;
        }
        JsonNode answer = ServerClient.json(body);
        Set<String> columns = new LinkedHashSet<>();
        answer.path("rows").forEach(r -> r.fieldNames().forEachRemaining(columns::add));
        List<List<JsonNode>> rows = new ArrayList<>();
        for (JsonNode r : answer.path("rows")) {
            List<JsonNode> row = new ArrayList<>();
            for (String c : columns) {
                row.add(r.has(c) ? r.get(c) : NullNode.getInstance());
            }
            rows.add(row);
        }
        List<String> header = List.copyOf(columns);
        if (format == SqlCommand.Format.csv) {
            SqlCommand.csv(header, rows, out);
            return 0;
        }
        if (!rows.isEmpty()) {
            SqlCommand.table(header, rows, out);
        }
        JsonNode boundary = answer.path("boundary");
        String through = boundary.path("epoch").isNumber()
                ? boundary.path("until").asText() + " (version " + boundary.path("version").asText() + ")"
                : "nothing yet (no batch run)";
        out.printf("%d row%s of %s at %s; batch views through %s%n", rows.size(), rows.size() == 1 ? "" : "s",
                answer.path("view").asText(), answer.path("granularity").asText(), through);
        return 0;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
