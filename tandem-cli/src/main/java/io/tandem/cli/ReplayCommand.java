package io.tandem.cli;

import io.tandem.cli.ingest.Destination;
import io.tandem.cli.ingest.EventInput;
import io.tandem.cli.ingest.EventTimeClock;
import io.tandem.cli.ingest.HttpDestination;
import io.tandem.cli.ingest.IngestClient;
import io.tandem.cli.ingest.IngestOptions;
import io.tandem.cli.ingest.IngestResult;
import io.tandem.cli.ingest.LocalDestination;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.spi.log.EventLog;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tandem replay}: loads CSV, NDJSON and Parquet files into a data directory with no server running (or, with
 * {@code --url}, into a running server), keeping each file's order as the arrival order.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Load CSV, NDJSON and Parquet files into a stream: straight into a data directory (no server "
                + "running), or into a running server with --url. Each file's order is its arrival order; with "
                + "--epoch-from event-time, history lands in the epochs of its event times and a batch run covers "
                + "it before the command ends.",
                "Example: tandem replay --config tandem.yaml --data-dir data --stream trades trades-2025.csv"})
final class ReplayCommand implements Callable<Integer> {

    /** What the log stamps as the events' arrival. */
    enum EpochFrom {
        arrival, event_time;

        @Override
        public String toString() {
            return name().replace('_', '-');
        }
    }

    @Option(names = "--config", required = true, description = "The config file (YAML): the streams' fields.")
    Path config;

    @Option(names = "--data-dir", description = "The data directory to load into (no server may be running on "
            + "it); default: data, unless --url is given.")
    Path dataDir;

    @Option(names = "--url", description = "A running server to send to instead of a data directory.")
    URI url;

    @Option(names = "--token", description = "With --url: the server's API token (default: the "
            + Main.TOKEN_ENV + " environment variable).")
    String token;

    @Option(names = "--stream", description = "The stream (default: the config's only stream).")
    String stream;

    @Option(names = "--format", description = "ndjson, csv or parquet (default: from each file's name).")
    EventInput.Format format;

    @Option(names = "--epoch-from", defaultValue = "arrival", converter = EpochFromConverter.class,
            description = "arrival (now, as live events; the default) or event-time (backfill: the arrival is the "
                    + "latest event time read so far, so each event lands in the epoch of its history; only into "
                    + "a data directory).")
    EpochFrom epochFrom;

    @Option(names = "--partitions", description = "Log partitions per stream of a new data directory (default: the "
            + "number of cores, as tandem serve).")
    Integer partitions;

    @Option(names = "--batch", defaultValue = "5000", description = "Events per request (default: ${DEFAULT-VALUE}).")
    int batch;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "CSV (.csv, with a header line), NDJSON (.ndjson, "
            + ".jsonl, .json), each optionally .gz, or Parquet (.parquet); loaded in the order given.")
    List<Path> files = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Reads {@code arrival} and {@code event-time}. */
    static final class EpochFromConverter implements CommandLine.ITypeConverter<EpochFrom> {
        @Override
        public EpochFrom convert(String value) {
            for (EpochFrom e : EpochFrom.values()) {
                if (e.toString().equals(value)) {
                    return e;
                }
            }
            throw new CommandLine.TypeConversionException("expected arrival or event-time, got '" + value + "'");
        }
    }

    @Override
    public Integer call() throws IOException {
        TandemConfig loaded = ConfigLoader.load(config);
        StreamDef def = stream(loaded);
        boolean backfill = epochFrom == EpochFrom.event_time;
        if (url != null && (dataDir != null || backfill || partitions != null)) {
            throw usage(dataDir != null ? "--data-dir and --url: give one, the data directory or the server"
                    : backfill ? "--epoch-from event-time needs --data-dir: a server stamps arrivals with its own "
                    + "clock" : "--partitions: with --url the server has its own");
        }
        IngestOptions options;
        try {
            options = IngestOptions.defaults().withBatchLines(batch).withConcurrency(backfill ? 1 : 4);
        } catch (IllegalArgumentException e) {
            throw usage("--batch: " + e.getMessage());
        }
        List<EventInput> inputs = new ArrayList<>();
        for (Path f : files) {
            try {
                inputs.add(EventInput.file(f, format).withSchema(def));
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (url != null) {
            ClientOptions client = new ClientOptions();
            client.url = url;
            client.token = token;
            return send(new HttpDestination(client.client(), options), options, inputs, def, out, err) ? 0 : 1;
        }
        TandemOptions tandemOptions = TandemOptions.defaults(dataDir == null ? Path.of("data") : dataDir)
                .withMaxLag(Long.MAX_VALUE).withAutomaticBatchRuns(!backfill);
        if (partitions != null) {
            tandemOptions = tandemOptions.withPartitions(partitions);
        }
        EventTimeClock clock = null;
        if (backfill) {
            clock = EventTimeClock.startingAt(inputs.get(0), def, batch);
            tandemOptions = tandemOptions.withClock(clock);
        }
        try (Tandem tandem = Tandem.start(loaded, tandemOptions)) {
            if (clock != null) {
                refuseLaterArrivals(tandem.log(def.name()), clock.getAsLong(), def.name());
            }
            boolean ok = send(new LocalDestination(tandem, clock), options, inputs, def, out, err);
            err.println("waiting for the hot path to apply what was loaded");
            err.flush();
            tandem.awaitCaughtUp(Duration.ofDays(1));
            if (backfill && ok) {
                clock.release();
                BatchRun run = tandem.runBatch(false).join();
                out.printf("batch run %s: version %d, the batch views cover arrivals until %s%n", run.status(),
                        run.version(), run.untilMs() == null ? "-" : Timestamps.format(run.untilMs()));
            }
            return ok ? 0 : 1;
        }
    }

    private boolean send(Destination destination, IngestOptions options, List<EventInput> inputs, StreamDef def,
                         PrintWriter out, PrintWriter err) throws IOException {
        boolean ok = true;
        for (EventInput input : inputs) {
            IngestResult result = new IngestClient(destination, options, err).send(input, def.name());
            out.print(result.summary());
            out.flush();
            result.failures().forEach(f -> err.println("error: " + f));
            ok &= result.ok();
            if (!result.failures().isEmpty()) {
                break;
            }
        }
        return ok;
    }

    /**
     * A backfill into a stream that holds events which arrived after the files' first event time would stamp the
     * history after them (the log's arrivals never go back), so it is refused.
     */
    private void refuseLaterArrivals(EventLog log, long start, String name) {
        long[] latest = {Long.MIN_VALUE};
        for (int p = 0; p < log.partitions(); p++) {
            long end = log.durableEnd(p);
            if (end > log.startOffset(p)) {
                log.read(p, end - 1, 1, (offset, kind, epoch, arrivalMs, buf, off, len) ->
                        latest[0] = Math.max(latest[0], arrivalMs));
            }
        }
        if (latest[0] > start) {
            throw usage("--epoch-from event-time: stream '" + name + "' in " + dataDir + " holds events that arrived"
                    + " at " + Timestamps.format(latest[0]) + ", after the first event time of the files ("
                    + Timestamps.format(start) + "); the log's arrivals never go back, so this history would land in"
                    + " the epoch of " + Timestamps.format(latest[0]) + ": backfill into a new data directory, or "
                    + "replay with --epoch-from arrival");
        }
    }

    private StreamDef stream(TandemConfig loaded) {
        if (stream == null) {
            if (loaded.streams().size() != 1) {
                throw usage("--stream: the config has streams " + String.join(", ", loaded.streams().keySet())
                        + "; name one");
            }
            return loaded.streams().values().iterator().next();
        }
        StreamDef def = loaded.streams().get(stream);
        if (def == null) {
            throw usage("--stream: unknown stream '" + stream + "' (the config has "
                    + String.join(", ", loaded.streams().keySet()) + ")");
        }
        return def;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
