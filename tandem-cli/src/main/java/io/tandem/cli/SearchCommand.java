package io.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
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
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code tandem search}: full-text search over an index of a running server. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"Search a full-text index of a running Tandem with Lucene's query syntax: words, "
                + "\"phrases\", field:word, AND/OR/NOT, wild*cards; *:* matches every event.",
                "Example: tandem search headlines \"merger AND source:wire\" --from 2026-11-26T00:00:00Z"})
final class SearchCommand implements Callable<Integer> {

    /** How to print the hits. */
    enum Format { table, json }

    /** The lake's system columns: in the JSON answer, left out of the table. */
    private static final Set<String> SYSTEM = Set.of("_arrival", "_epoch", "_partition", "_offset");

    @CommandLine.Mixin
    ClientOptions server;

    @Parameters(index = "0", paramLabel = "INDEX", description = "The index, as named under indexes: in the config.")
    String index;

    @Parameters(index = "1", paramLabel = "QUERY", description = "The query, e.g. \"merger\" or "
            + "\"headline:profit AND source:wire\".")
    String query;

    @Option(names = "--from", description = "Only events at or after this event time (ISO-8601 or epoch ms).")
    String from;

    @Option(names = "--to", description = "Only events before this event time (ISO-8601 or epoch ms).")
    String to;

    @Option(names = "--limit", defaultValue = "20", description = "The most hits to show (default: "
            + "${DEFAULT-VALUE}); the total counts them all.")
    int limit;

    @Option(names = "--format", defaultValue = "table",
            description = "table (score and the event's fields) or json (the server's answer) (default: "
                    + "${DEFAULT-VALUE}).")
    Format format;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        StringBuilder path = new StringBuilder("/v1/search/").append(encode(index)).append("?q=")
                .append(encode(query)).append("&limit=").append(limit);
        if (from != null) {
            path.append("&from=").append(encode(from));
        }
        if (to != null) {
            path.append("&to=").append(encode(to));
        }
        String body = server.client().get(path.toString());
        PrintWriter out = spec.commandLine().getOut();
        if (format == Format.json) {
            out.println(body);
            return 0;
        }
        JsonNode answer = ServerClient.json(body);
        List<String> columns = new ArrayList<>();
        columns.add("score");
        JsonNode hits = answer.path("hits");
        if (!hits.isEmpty()) {
            for (Iterator<String> names = hits.get(0).path("fields").fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!SYSTEM.contains(name)) {
                    columns.add(name);
                }
            }
        }
        List<List<JsonNode>> rows = new ArrayList<>();
        for (JsonNode hit : hits) {
            List<JsonNode> row = new ArrayList<>();
            row.add(DoubleNode.valueOf(Math.round(hit.path("score").asDouble() * 1000) / 1000.0));
            for (int i = 1; i < columns.size(); i++) {
                row.add(hit.path("fields").path(columns.get(i)));
            }
            rows.add(row);
        }
        SqlCommand.table(columns, rows, out);
        long total = answer.path("total").asLong();
        out.printf("%d of %d hit%s%n", rows.size(), total, total == 1 ? "" : "s");
        return 0;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
