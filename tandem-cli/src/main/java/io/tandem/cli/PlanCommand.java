package io.tandem.cli;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigLoader;
import io.tandem.core.plan.Decision;
import io.tandem.core.plan.Plan;
import io.tandem.core.plan.Planner;
import io.tandem.server.PlanJson;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code tandem plan}: the path of every workload of a config and the rule that decided it. It reads the config
 * only, so a {@code volume: auto} is "not observed yet" here; {@code GET /v1/plan} on a running server shows the
 * plan it runs, with the rates its lake holds.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Print the path of every workload (view, alert, report, analysis, index, cache): hot, cold, "
                + "hot+cold or hybrid, with its needs and the rule that decided it.",
                "Example: tandem plan --config examples/market.yaml --format json"})
final class PlanCommand implements Callable<Integer> {

    enum Format { table, json }

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The config file (YAML).")
    Path config;

    @Option(names = "--format", defaultValue = "table", description = "table (default) or json.")
    Format format;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        TandemConfig c;
        try {
            c = ConfigLoader.load(config);
        } catch (ConfigException e) {
            e.errors().forEach(err -> spec.commandLine().getErr().println(config + ": " + err));
            return 1;
        }
        Plan plan = Planner.plan(c, stream -> OptionalLong.empty());
        PrintWriter out = spec.commandLine().getOut();
        if (format == Format.json) {
            out.println(PlanJson.of(plan).toPrettyString());
        } else {
            table(out, plan);
        }
        out.flush();
        return 0;
    }

    private static void table(PrintWriter out, Plan plan) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "KIND", "PATH", "NEEDS", "RULE"});
        for (Decision d : plan.workloads()) {
            String needs = d.needs().toConfigMap().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                    .collect(Collectors.joining(", "));
            rows.add(new String[] {d.name(), d.kind().configName(), d.path().configName(),
                    needs.isEmpty() ? "-" : needs, d.rule()});
        }
        int[] width = new int[4];
        for (String[] r : rows) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                line.append(r[i]).append(" ".repeat(width[i] - r[i].length() + 2));
            }
            out.println(line.append(r[4]));
        }
    }
}
