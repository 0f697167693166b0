package io.tandem.cli;

import io.tandem.cli.ingest.IngestClient;
import io.tandem.cli.ingest.IngestOptions;
import io.tandem.cli.ingest.IngestResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code tandem ingest}: sends an NDJSON or CSV file to a running server. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Send an NDJSON or CSV (with a header line) file to a stream of a running Tandem.")
final class IngestCommand implements Callable<Integer> {

    @Option(names = "--url", defaultValue = "http://127.0.0.1:7070",
            description = "The server (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--stream", required = true, description = "The stream to append to.")
    String stream;

    @Option(names = "--batch", defaultValue = "5000", description = "Lines per request (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--concurrency", defaultValue = "4",
            description = "Requests in flight (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Parameters(index = "0", paramLabel = "FILE", description = "NDJSON (.ndjson, .jsonl, .json) or CSV (.csv).")
    Path file;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        IngestOptions options = IngestOptions.defaults().withBatchLines(batch).withConcurrency(concurrency);
        IngestResult result = new IngestClient(url, options).send(file, stream);
        spec.commandLine().getOut().println(result.summary());
        return result.ok() ? 0 : 1;
    }
}
