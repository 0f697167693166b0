package io.tandem.cli;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.report.ReportSqlCheck;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code tandem validate}: checks a config and prints every error with the path of the bad key. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Check a tandem.yaml and print every error with the path of the offending key; the reports' "
                + "SQL is checked against the streams' and views' columns.",
                "Example: tandem validate examples/market.yaml"})
final class ValidateCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The config file (YAML).")
    Path file;

    @Option(names = "--config", paramLabel = "FILE", description = "The config file, as an option.")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if ((file == null) == (config == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), file == null
                    ? "Missing the config file: tandem validate FILE" : "Give the config file once: FILE or --config");
        }
        Path path = file != null ? file : config;
        try {
            TandemConfig c = ConfigLoader.load(path);
            ReportSqlCheck.validate(c, path.toString());
            spec.commandLine().getOut().printf("%s: ok (%s, %s, %s, %s, %s, %s)%n", path,
                    count(c.streams().size(), "stream", "streams"), count(c.views().size(), "view", "views"),
                    count(c.alerts().size(), "alert rule", "alert rules"),
                    count(c.reports().size(), "report", "reports"),
                    count(c.analyses().size(), "analysis", "analyses"),
                    count(c.indexes().size(), "index", "indexes"));
            return 0;
        } catch (ConfigException e) {
            e.errors().forEach(err -> spec.commandLine().getErr().println(path + ": " + err));
            spec.commandLine().getErr().printf("%s%n", count(e.errors().size(), "error", "errors"));
            return 1;
        }
    }

    private static String count(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }
}
