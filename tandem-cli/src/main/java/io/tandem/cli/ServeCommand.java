package io.tandem.cli;

import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigLoader;
import io.tandem.core.TandemConfig;
import io.tandem.engine.HotWorker;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.server.TandemServer;
import io.tandem.server.WorkerServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code tandem serve}: runs the server for a config until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run Tandem for a config: ingest, hot path, "
        + "queries over HTTP.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "The config file (YAML).")
    Path config;

    @Mixin
    ServerMixin server;

    @Option(names = "--allowed-host", paramLabel = "NAME", description = "Another host name by which clients reach "
            + "the server (its Host header); the bind address and, on loopback, localhost always work. Repeatable.")
    List<String> allowedHosts = new ArrayList<>();

    @Option(names = "--role", defaultValue = "all", description = "What this process runs: all (one process, the "
            + "default), serving (the HTTP API, ingest, merged queries, alerts, live rows and the batch layer, its hot "
            + "path following the workers'), or worker (the hot path for the partitions its group gives it; needs "
            + "log.kind kafka). Default: ${DEFAULT-VALUE}.")
    String role;

    @Option(names = "--group", defaultValue = HotWorker.DEFAULT_GROUP, description = "With --role worker: the worker "
            + "group to join; the workers of one deployment share its partitions (default: ${DEFAULT-VALUE}).")
    String group;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (!List.of("all", "serving", "worker").contains(role)) {
            spec.commandLine().getErr().println("--role: unknown role '" + role + "' (expected all, serving, worker)");
            return 2;
        }
        AutoCloseable process;
        AutoCloseable http;
        String url;
        try {
            TandemConfig loaded = ConfigLoader.load(config);
            if (role.equals("worker")) {
                HotWorker worker = HotWorker.start(loaded, server.options(), group);
                WorkerServer ws = WorkerServer.start(worker, server.serverOptions().withAllowedHosts(allowedHosts));
                process = worker;
                http = ws;
                url = ws.url();
            } else {
                TandemOptions options = role.equals("serving") ? server.options().asServingNode() : server.options();
                Tandem tandem = Tandem.start(loaded, options);
                TandemServer ts = TandemServer.start(tandem, server.serverOptions().withAllowedHosts(allowedHosts));
                process = tandem;
                http = ts;
                url = ts.url();
            }
        } catch (ConfigException e) {
            e.errors().forEach(err -> spec.commandLine().getErr().println(config + ": " + err));
            return 1;
        } catch (UnsupportedOperationException e) {
            spec.commandLine().getErr().println("--role " + role + ": " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeQuietly(http);
            closeQuietly(process);
            stopped.countDown();
        }));
        spec.commandLine().getOut().printf("Tandem is listening on %s (role %s, data in %s)%n", url, role,
                server.dataDir.toAbsolutePath());
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }

    private void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            spec.commandLine().getErr().println("while stopping: " + e);
        }
    }
}
