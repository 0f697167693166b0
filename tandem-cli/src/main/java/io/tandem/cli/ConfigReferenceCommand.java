package io.tandem.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code tandem config-reference}: every key of {@code tandem.yaml} as Markdown, from the definition validation
 * admits keys from; {@code docs/config.md} is its output, and a test keeps it so.
 */
@Command(name = "config-reference", mixinStandardHelpOptions = true,
        description = {"Print the reference of every tandem.yaml key as Markdown: what it means, its type, its "
                + "default and an example.",
                "Example: " + ConfigMarkdown.REGENERATE})
final class ConfigReferenceCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(ConfigMarkdown.render());
        out.flush();
        return 0;
    }
}
