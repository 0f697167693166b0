package io.tandem.cli;

import io.tandem.core.SecurityDef;
import io.tandem.engine.TandemOptions;
import io.tandem.server.ServerOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options every command that runs a server shares. */
final class ServerMixin {

    @Option(names = "--data-dir", description = "Where the log and checkpoints live (default: ${DEFAULT-VALUE}).",
            defaultValue = "data")
    Path dataDir;

    @Option(names = "--port", description = "HTTP port, 0 for any free one (default: ${DEFAULT-VALUE}).",
            defaultValue = "7070")
    int port;

    @Option(names = "--bind", description = "Address to listen on (default: ${DEFAULT-VALUE}); any other than "
            + "loopback needs security.tokens_file in the config.", defaultValue = "127.0.0.1")
    String bind;

    @Option(names = "--partitions", description = "Log partitions and hot-path threads per stream "
            + "(default: the number of cores).")
    Integer partitions;

    @Option(names = "--max-body", description = "Largest ingest body in bytes (default: ${DEFAULT-VALUE}).",
            defaultValue = "16777216")
    long maxBody;

    TandemOptions options() {
        TandemOptions o = TandemOptions.defaults(dataDir);
        return partitions == null ? o : o.withPartitions(partitions);
    }

    /** The options of a server whose config says {@code security}. */
    ServerOptions serverOptions(SecurityDef security) {
        return new ServerOptions(bind, port, maxBody, security);
    }
}
