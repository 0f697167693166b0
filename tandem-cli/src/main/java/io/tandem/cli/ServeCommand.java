package io.tandem.cli;

import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigLoader;
import io.tandem.core.TandemConfig;
import io.tandem.engine.HotWorker;
import io.tandem.engine.Role;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.server.ServerOptions;
import io.tandem.server.TandemServer;
import io.tandem.server.WorkerServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

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

    @Option(names = "--role", defaultValue = "all", description = "What this process runs: all (everything, the "
            + "default); or, in a split deployment on Kafka and Redis: serving (the HTTP API: ingest, merged "
            + "queries, SQL, alerts, live rows), worker (the hot path for the partitions its group gives it) or batch "
            + "(the lake and the batch runs). Default: ${DEFAULT-VALUE}.")
    String role;

    @Option(names = "--group", defaultValue = HotWorker.DEFAULT_GROUP, description = "With --role worker: the worker "
            + "group to join; the workers of one deployment share its partitions (default: ${DEFAULT-VALUE}).")
    String group;

    @Option(names = "--shared-dir", paramLabel = "DIR", description = "With --role serving or batch: the folder "
            + "both see, holding the lake, the batch views and the reports (default: the data directory).")
    Path sharedDir;

    @Option(names = "--batch-url", paramLabel = "URL", description = "With --role serving: the batch node, e.g. "
            + "http://127.0.0.1:7072, which runs what POST /v1/batch/run asks for.")
    URI batchUrl;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Role kind = switch (role) {
            case "all" -> Role.ALL;
            case "serving" -> Role.SERVING;
            case "worker" -> Role.WORKER;
            case "batch" -> Role.BATCH;
            default -> null;
        };
        if (kind == null) {
            err.println("--role: unknown role '" + role + "' (expected all, serving, worker, batch)");
            return 2;
        }
        if (batchUrl != null && (kind != Role.SERVING || batchUrl.getHost() == null
                || !List.of("http", "https").contains(String.valueOf(batchUrl.getScheme())))) {
            err.println("--batch-url: " + (kind != Role.SERVING ? "only a serving node (--role serving) takes it"
                    : "expected a URL like http://127.0.0.1:7072, got '" + batchUrl + "'"));
            return 2;
        }
        if (kind == Role.SERVING && batchUrl == null) {
            err.println("--role serving needs --batch-url: the batch node (--role batch) that runs the batch layer");
            return 2;
        }
        AutoCloseable process;
        AutoCloseable http;
        String url;
        try {
            TandemConfig loaded = ConfigLoader.load(config);
            TandemOptions options = server.options().withRole(kind);
            ServerOptions httpOptions = server.serverOptions(loaded.security()).withAllowedHosts(allowedHosts);
            if (sharedDir != null) {
                options = options.withSharedDir(sharedDir);
            }
            if (kind == Role.WORKER) {
                HotWorker worker = HotWorker.start(loaded, options, group);
                WorkerServer ws = startOrClose(worker, () -> WorkerServer.start(worker, httpOptions));
                process = worker;
                http = ws;
                url = ws.url();
            } else {
                Tandem tandem = Tandem.start(loaded, options);
                TandemServer ts = startOrClose(tandem, () -> TandemServer.start(tandem, httpOptions, batchUrl));
                process = tandem;
                http = ts;
                url = ts.url();
            }
        } catch (ConfigException e) {
            e.errors().forEach(m -> err.println(config + ": " + m));
            return 1;
        } catch (UnsupportedOperationException e) {
            err.println("--role " + role + ": " + e.getMessage());
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

    /** Starts the HTTP server of {@code process}, closing the process when that fails (a bad tokens file, say). */
    private <T> T startOrClose(AutoCloseable process, Supplier<T> start) {
        try {
            return start.get();
        } catch (RuntimeException e) {
            closeQuietly(process);
            throw e;
        }
    }

    private void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            spec.commandLine().getErr().println("while stopping: " + e);
        }
    }
}
