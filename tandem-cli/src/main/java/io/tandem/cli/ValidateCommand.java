package io.tandem.cli;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code tandem validate}: checks a config and prints every error with the path of the bad key. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a tandem.yaml and print every error with the path of the offending key.")
final class ValidateCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "The config file (YAML).")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try {
            TandemConfig c = ConfigLoader.load(config);
            spec.commandLine().getOut().printf("%s: ok (%d streams, %d views)%n", config, c.streams().size(),
                    c.views().size());
            return 0;
        } catch (ConfigException e) {
            e.errors().forEach(err -> spec.commandLine().getErr().println(config + ": " + err));
            spec.commandLine().getErr().printf("%d error%s%n", e.errors().size(), e.errors().size() == 1 ? "" : "s");
            return 1;
        }
    }
}
