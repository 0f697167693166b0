package io.tandem.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tandem bench}: the benchmarks whose figures BENCHMARKS.md records. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark and print its figures.",
        subcommands = {BenchHot.class, BenchIngest.class, BenchBatch.class, BenchQuery.class,
                BenchLive.class, BenchSearch.class, BenchCluster.class})
final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw Main.missingSubcommand(spec);
    }
}
