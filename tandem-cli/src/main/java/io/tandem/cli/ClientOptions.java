package io.tandem.cli;

import io.tandem.cli.client.ServerClient;
import picocli.CommandLine.Option;

import java.net.URI;

/** The options of every command that is a client of a running server: where it is and its API token. */
final class ClientOptions {

    @Option(names = "--url", defaultValue = "http://127.0.0.1:7070",
            description = "The server (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--token", description = "The server's API token, sent as 'Authorization: Bearer TOKEN' "
            + "(default: the " + Main.TOKEN_ENV + " environment variable).")
    String token;

    ServerClient client() {
        return new ServerClient(url, token);
    }
}
