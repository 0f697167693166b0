package io.tandem.cli;

import io.tandem.cli.ingest.EventInput;
import io.tandem.cli.ingest.IngestClient;
import io.tandem.cli.ingest.IngestOptions;
import io.tandem.cli.ingest.IngestResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code tandem ingest}: sends an NDJSON or CSV file, or standard input, to a running server. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Send an NDJSON or CSV (with a header line) file to a stream of a running Tandem; a .gz file "
                + "is read decompressed, and - reads standard input.",
                "Example: tandem ingest --stream trades trades.ndjson.gz"})
final class IngestCommand implements Callable<Integer> {

    @CommandLine.Mixin
    ClientOptions server;

    @Option(names = "--stream", required = true, description = "The stream to append to.")
    String stream;

    @Option(names = "--batch", defaultValue = "5000", description = "Lines per request (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--concurrency", defaultValue = "4",
            description = "Requests in flight (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--format", description = "NDJSON or CSV (default: from the file name; NDJSON for -).")
    EventInput.Format format;

    @Parameters(index = "0", paramLabel = "FILE", description = "NDJSON (.ndjson, .jsonl, .json) or CSV (.csv), "
            + "each optionally .gz; - for standard input.")
    Path file;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        IngestOptions options;
        try {
            options = IngestOptions.defaults().withBatchLines(batch).withConcurrency(concurrency);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        EventInput input;
        try {
            input = file.toString().equals("-") ? EventInput.stream(main.stdin(), format)
                    : EventInput.file(file, format);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        IngestResult result = new IngestClient(server.client(), options, err).send(input, stream);
        spec.commandLine().getOut().print(result.summary());
        spec.commandLine().getOut().flush();
        result.failures().forEach(f -> err.println("error: " + f));
        return result.ok() ? 0 : 1;
    }
}
