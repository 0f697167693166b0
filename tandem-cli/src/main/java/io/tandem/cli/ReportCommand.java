package io.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.cli.client.ServerClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** {@code tandem report}: the scheduled reports of a running server. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Run or list the scheduled reports of a running Tandem.",
        subcommands = {ReportCommand.Run.class, ReportCommand.ListReports.class})
final class ReportCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw Main.missingSubcommand(spec);
    }

    /** {@code tandem report run NAME --period P}. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run one period of a report, once the batch covers it. A period already written is "
                    + "kept unless --force.",
                    "Example: tandem report run daily_ohlcv --period 2026-11-25"})
    static final class Run implements Callable<Integer> {

        @CommandLine.Mixin
        ClientOptions server;

        @Parameters(index = "0", paramLabel = "NAME", description = "The report, as named in the config.")
        String name;

        @Option(names = "--period", required = true, description = "2026-11-25T10 (hourly), 2026-11-25 (daily), "
                + "2026-W48 (weekly) or 2026-11 (monthly).")
        String period;

        @Option(names = "--force", description = "Run again and replace the file when it exists.")
        boolean force;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            String path = "/v1/reports/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/run?period="
                    + URLEncoder.encode(period, StandardCharsets.UTF_8) + (force ? "&force=true" : "");
            JsonNode r = ServerClient.json(server.client().post(path));
            PrintWriter out = spec.commandLine().getOut();
            if (r.path("written").asBoolean()) {
                out.printf("wrote %s (%d rows, %d ms)%n", r.path("file").asText(), r.path("rows").asLong(),
                        r.path("elapsed_ms").asLong());
            } else {
                out.printf("kept %s (already written; --force runs it again)%n", r.path("file").asText());
            }
            return 0;
        }
    }

    /** {@code tandem report list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the reports with their schedule, format and the periods written.")
    static final class ListReports implements Callable<Integer> {

        @CommandLine.Mixin
        ClientOptions server;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            JsonNode r = ServerClient.json(server.client().get("/v1/reports"));
            PrintWriter out = spec.commandLine().getOut();
            for (JsonNode report : r.path("reports")) {
                out.printf("%s  %s  %s  %d file%s, last period %s%n", report.path("name").asText(),
                        report.path("schedule").asText(), report.path("format").asText(),
                        report.path("files").size(), report.path("files").size() == 1 ? "" : "s",
                        report.path("last_period").isNull() ? "none" : report.path("last_period").asText());
            }
            return 0;
        }
    }
}
