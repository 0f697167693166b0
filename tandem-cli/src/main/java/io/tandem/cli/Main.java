package io.tandem.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.Properties;

/** {@code tandem}: the command line. */
@Command(name = "tandem", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A Lambda-architecture data platform: millisecond hot path, exact cold path, one merged answer.",
        subcommands = {DemoCommand.class, ServeCommand.class, ValidateCommand.class, ConfigReferenceCommand.class,
                PlanCommand.class, IngestCommand.class, ReplayCommand.class, QueryCommand.class, StatusCommand.class,
                BatchRunCommand.class, SqlCommand.class, SearchCommand.class, ReportCommand.class, BenchCommand.class,
                ClusterCommand.class, TokenCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** The environment variable that gives the clients' {@code --token} its default. */
    static final String TOKEN_ENV = "TANDEM_API_TOKEN";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private final InputStream stdin;

    private Main(InputStream stdin) {
        this.stdin = stdin;
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.in, System.getenv()).execute(args));
    }

    /**
     * The configured command line.
     *
     * @param stdin what {@code tandem ingest -} reads
     * @param env   the environment: {@value #TOKEN_ENV} is the default of every {@code --token}
     */
    public static CommandLine commandLine(InputStream stdin, Map<String, String> env) {
        CommandLine cli = new CommandLine(new Main(stdin)).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setDefaultValueProvider(arg -> arg instanceof CommandLine.Model.OptionSpec o
                && o.longestName().equals("--token") ? env.get(TOKEN_ENV) : null);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getColorScheme().errorText("error: " + message(e)));
            return 1;
        });
        return cli;
    }

    /** What a failure says: file errors name the file and the reason; any other exception its message. */
    static String message(Throwable e) {
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + ": no such file";
        }
        if (e instanceof AccessDeniedException f) {
            return f.getFile() + ": permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getFile() + ": " + f.getReason();
        }
        return e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
    }

    /** Standard input, as given to {@link #commandLine}. */
    InputStream stdin() {
        return stdin;
    }

    @Override
    public void run() {
        throw missingSubcommand(spec);
    }

    /** A command that only groups subcommands, run bare: exit 2 with the usage (picocli prints both). */
    static CommandLine.ParameterException missingSubcommand(CommandLine.Model.CommandSpec spec) {
        return new CommandLine.ParameterException(spec.commandLine(), "Missing a command: one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** The version of the build, from the resource Maven fills in. */
    static final class Version implements CommandLine.IVersionProvider {
        static final String RESOURCE = "io/tandem/cli/version.properties";

        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getClassLoader().getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IOException(RESOURCE + " is missing from the classpath");
                }
                p.load(in);
            }
            return new String[] {"tandem " + p.getProperty("version")};
        }
    }
}
