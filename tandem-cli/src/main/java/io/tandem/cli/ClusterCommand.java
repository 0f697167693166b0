package io.tandem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.core.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code tandem cluster up|status|down} ({@code bin/tandem-cluster}): a split deployment on this machine. */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Run a whole split deployment on this "
        + "machine: a Kafka broker, a redis-server, hot-path workers, a batch node and a serving node, all on "
        + "127.0.0.1.",
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Status.class, ClusterCommand.Down.class})
final class ClusterCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw Main.missingSubcommand(spec);
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = "Start the cluster in DIR and return once "
            + "every process answers; prints each address, the serving node's as 'serving http://127.0.0.1:PORT'.")
    static final class Up implements Callable<Integer> {

        @Option(names = "--config", required = true, description = "The config file; its log: and store: are "
                + "replaced by the cluster's Kafka and Redis.")
        Path config;

        @Option(names = "--dir", required = true, description = "The folder for every process's data and log.")
        Path dir;

        @Option(names = "--workers", defaultValue = "2", description = "Hot-path workers (default: ${DEFAULT-VALUE}).")
        int workers;

        @Option(names = "--partitions", defaultValue = "4", description = "Partitions per stream, shared by the "
                + "workers (default: ${DEFAULT-VALUE}).")
        int partitions;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            if (workers < 1 || workers > 64) {
                err.println("--workers: expected 1 to 64, got " + workers);
                return 2;
            }
            if (partitions < 1 || partitions > 1024) {
                err.println("--partitions: expected 1 to 1024, got " + partitions);
                return 2;
            }
            try {
                new LocalCluster(dir).up(config, workers, partitions, spec.commandLine().getOut());
                return 0;
            } catch (ConfigException e) {
                e.errors().forEach(m -> err.println(config + ": " + m));
                return 1;
            } catch (IllegalStateException | IllegalArgumentException e) {
                err.println("tandem-cluster up: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "List the processes of the cluster "
            + "in DIR: role, pid, address, and whether each still runs.")
    static final class Status implements Callable<Integer> {

        @Option(names = "--dir", required = true, description = "The cluster's folder.")
        Path dir;

        @Option(names = "--format", defaultValue = "table", description = "table or json (default: "
                + "${DEFAULT-VALUE}).")
        String format;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!List.of("table", "json").contains(format)) {
                spec.commandLine().getErr().println("--format: expected table or json, got '" + format + "'");
                return 2;
            }
            List<LocalCluster.Proc> procs = new LocalCluster(dir).processes();
            PrintWriter out = spec.commandLine().getOut();
            if (format.equals("json")) {
                ObjectNode root = new ObjectMapper().createObjectNode();
                ArrayNode list = root.putArray("processes");
                for (LocalCluster.Proc p : procs) {
                    list.addObject().put("role", p.role()).put("name", p.name()).put("pid", p.pid())
                            .put("address", p.address()).put("alive", p.handle().isPresent());
                }
                out.println(root);
            } else if (procs.isEmpty()) {
                out.println("no cluster in " + dir.toAbsolutePath());
            } else {
                out.printf("%-8s %-10s %8s  %-22s %s%n", "ROLE", "NAME", "PID", "ADDRESS", "STATE");
                for (LocalCluster.Proc p : procs) {
                    out.printf("%-8s %-10s %8d  %-22s %s%n", p.role(), p.name(), p.pid(), p.address(),
                            p.handle().isPresent() ? "running" : "exited");
                }
            }
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop the processes the cluster in DIR "
            + "started (and only those); the data stays.")
    static final class Down implements Callable<Integer> {

        @Option(names = "--dir", required = true, description = "The cluster's folder.")
        Path dir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<LocalCluster.Proc> stopped = new LocalCluster(dir).down();
            spec.commandLine().getOut().println(stopped.isEmpty() ? "no cluster in " + dir.toAbsolutePath()
                    : "stopped " + stopped.size() + " processes");
            return 0;
        }
    }
}
