package io.tandem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.server.auth.Scope;
import io.tandem.server.auth.Tokens;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code tandem token create|list|revoke}: the API tokens in a server's tokens file ({@code security.tokens_file}). */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manage the API tokens of a tokens file "
        + "(security.tokens_file in the config); the file holds only their hashes, and a running server reads it "
        + "again when it changes.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw Main.missingSubcommand(spec);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Make a token, store its hash and "
            + "print the token on standard output: it is shown only this once.")
    static final class Create implements Callable<Integer> {

        @Option(names = "--tokens-file", required = true, description = "The tokens file, created when missing.")
        Path file;

        @Option(names = "--scopes", required = true, description = "What the token may do, comma-separated: read "
                + "(queries, SQL, event streams, the dashboard, /metrics), ingest (POST events), admin (everything, "
                + "including batch and report runs).")
        String scopes;

        @Option(names = "--name", description = "A name for the token, unique in the file (default: token-N).")
        String name;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Set<Scope> parsed;
            try {
                parsed = Scope.parseList(scopes);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--scopes: " + e.getMessage());
            }
            String chosen = name;
            if (chosen == null) {
                List<String> taken = Files.exists(file)
                        ? Tokens.list(file).stream().map(Tokens.Token::name).toList() : List.of();
                int n = taken.size() + 1;
                while (taken.contains("token-" + n)) {
                    n++;
                }
                chosen = "token-" + n;
            }
            Tokens.Created created;
            try {
                created = Tokens.create(file, chosen, parsed);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
            }
            spec.commandLine().getOut().println(created.secret());
            spec.commandLine().getErr().printf("created token '%s' with scopes %s in %s; it is shown only now%n",
                    chosen, Scope.names(parsed), file);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tokens' names, scopes and "
            + "creation times (never the tokens).")
    static final class ListTokens implements Callable<Integer> {

        @Option(names = "--tokens-file", required = true, description = "The tokens file.")
        Path file;

        @Option(names = "--format", defaultValue = "table", description = "table or json (default: "
                + "${DEFAULT-VALUE}).")
        String format;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (!List.of("table", "json").contains(format)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--format: expected table or json, got '"
                        + format + "'");
            }
            List<Tokens.Token> tokens = Tokens.list(file);
            PrintWriter out = spec.commandLine().getOut();
            if (format.equals("json")) {
                ObjectMapper json = new ObjectMapper();
                ObjectNode root = json.createObjectNode();
                ArrayNode list = root.putArray("tokens");
                for (Tokens.Token t : tokens) {
                    ObjectNode n = list.addObject().put("name", t.name());
                    t.scopes().stream().sorted().forEach(s -> n.withArray("scopes").add(s.configName()));
                    n.put("created", t.created().toString());
                }
                out.println(root);
            } else {
                out.printf("%-24s %-20s %s%n", "NAME", "SCOPES", "CREATED");
                tokens.forEach(t -> out.printf("%-24s %-20s %s%n", t.name(), Scope.names(t.scopes()), t.created()));
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Remove a token from the file; a "
            + "running server refuses it within a second.")
    static final class Revoke implements Callable<Integer> {

        @Option(names = "--tokens-file", required = true, description = "The tokens file.")
        Path file;

        @Option(names = "--name", required = true, description = "The token's name.")
        String name;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if (!Files.exists(file)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--tokens-file: no such file: " + file);
            }
            if (!Tokens.revoke(file, name)) {
                spec.commandLine().getErr().println("--name: no token named '" + name + "' in " + file);
                return 1;
            }
            spec.commandLine().getErr().printf("revoked token '%s' in %s%n", name, file);
            return 0;
        }
    }
}
