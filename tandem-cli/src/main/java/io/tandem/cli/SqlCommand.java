package io.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.cli.client.ServerClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code tandem sql}: read-only SQL over the lake of a running server. */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = {"Run read-only SQL over the lake of a running Tandem: each stream is a table, and so is each "
                + "view's current batch version.",
                "Example: tandem sql \"SELECT symbol, sum(qty) FROM trades GROUP BY symbol\""})
final class SqlCommand implements Callable<Integer> {

    /** How to print the result. */
    enum Format { table, json, csv }

    @CommandLine.Mixin
    ClientOptions server;

    @Option(names = "--format", defaultValue = "table",
            description = "table (aligned columns), json (the server's answer) or csv (default: ${DEFAULT-VALUE}).")
    Format format;

    @Parameters(index = "0", paramLabel = "SQL", description = "One SELECT (or WITH, FROM, VALUES, DESCRIBE, "
            + "SUMMARIZE) statement.")
    String sql;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        String body = server.client().post("/v1/sql", "text/plain; charset=utf-8", sql);
        JsonNode answer = ServerClient.json(body);
        boolean truncated = answer.path("truncated").asBoolean();
        if (truncated && format != Format.table) {
            spec.commandLine().getErr().println("warning: truncated at the server's row limit");
        }
        if (format == Format.json) {
            out.println(body);
            return 0;
        }
        List<String> columns = new ArrayList<>();
        answer.path("columns").forEach(c -> columns.add(c.asText()));
        List<List<JsonNode>> rows = new ArrayList<>();
        answer.path("rows").forEach(r -> {
            List<JsonNode> row = new ArrayList<>();
            r.forEach(row::add);
            rows.add(row);
        });
        if (format == Format.csv) {
            csv(columns, rows, out);
        } else {
            table(columns, rows, out);
            out.printf("%d row%s in %d ms%s%n", rows.size(), rows.size() == 1 ? "" : "s",
                    answer.path("elapsed_ms").asLong(),
                    truncated ? " (truncated at the server's row limit: aggregate, or add a LIMIT or WHERE)" : "");
        }
        return 0;
    }

    /**
     * A cell as printed: strings bare, null as NULL, a double in plain digits (65624862.42, not 6.562486242E7, as
     * the JSON has it), other numbers, lists and objects as JSON.
     */
    static String text(JsonNode v) {
        if (v.isDouble() && Double.isFinite(v.doubleValue())) {
            return BigDecimal.valueOf(v.doubleValue()).toPlainString();
        }
        return v.isNull() ? "NULL" : v.isTextual() ? v.asText() : v.toString();
    }

    /** Columns padded to their widest cell, numbers right-aligned, a rule under the header. */
    static void table(List<String> columns, List<List<JsonNode>> rows, PrintWriter out) {
        int[] widths = new int[columns.size()];
        boolean[] numeric = new boolean[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            widths[i] = columns.get(i).length();
            numeric[i] = !rows.isEmpty();
            for (List<JsonNode> row : rows) {
                widths[i] = Math.max(widths[i], text(row.get(i)).length());
                numeric[i] &= row.get(i).isNumber() || row.get(i).isNull();
            }
        }
        List<String> header = new ArrayList<>();
        List<String> rule = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            header.add(pad(columns.get(i), widths[i], numeric[i]));
            rule.add("-".repeat(widths[i]));
        }
        out.println(String.join("  ", header).stripTrailing());
        out.println(String.join("  ", rule));
        for (List<JsonNode> row : rows) {
            List<String> cells = new ArrayList<>();
            for (int i = 0; i < columns.size(); i++) {
                cells.add(pad(text(row.get(i)), widths[i], numeric[i]));
            }
            out.println(String.join("  ", cells).stripTrailing());
        }
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }

    /** RFC 4180: a header, CRLF line ends, quoted fields where needed; null is an empty field. */
    static void csv(List<String> columns, List<List<JsonNode>> rows, PrintWriter out) {
        out.print(String.join(",", columns.stream().map(SqlCommand::csvField).toList()) + "\r\n");
        for (List<JsonNode> row : rows) {
            out.print(String.join(",", row.stream().map(v -> csvField(v.isNull() ? "" : text(v))).toList())
                    + "\r\n");
        }
        out.flush();
    }

    private static String csvField(String s) {
        boolean quote = s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r");
        return quote ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
