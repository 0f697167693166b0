package io.tandem.cli;

import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.server.TandemServer;
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

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Tandem tandem;
        try {
            tandem = Tandem.start(ConfigLoader.load(config), server.options());
        } catch (ConfigException e) {
            e.errors().forEach(err -> spec.commandLine().getErr().println(config + ": " + err));
            return 1;
        }
        TandemServer http = TandemServer.start(tandem, server.serverOptions().withAllowedHosts(allowedHosts));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            http.close();
            tandem.close();
            stopped.countDown();
        }));
        spec.commandLine().getOut().printf("Tandem is listening on %s (data in %s)%n", http.url(),
                server.dataDir.toAbsolutePath());
        stopped.await();
        return 0;
    }
}
