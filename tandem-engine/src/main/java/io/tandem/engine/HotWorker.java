package io.tandem.engine;

import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigException;
import io.tandem.core.plan.Plan;
import io.tandem.core.plan.Planner;
import io.tandem.engine.hot.DeadLetters;
import io.tandem.engine.hot.HotPath;
import io.tandem.spi.PartContext;
import io.tandem.spi.Providers;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.log.EventLogProvider;
import io.tandem.spi.log.PartitionGroup;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.store.RealtimeStoreProvider;
import io.tandem.spi.view.Catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code tandem serve --role worker}: a process that runs only the hot path, for the partitions its worker group
 * gives it (a Kafka consumer group), writing the real-time store that serving nodes read (Redis). Nothing else:
 * no HTTP API but status and metrics, no lake, no batch, no alerts. Workers of one config join the group named by
 * {@code --group}; add one to spread the partitions, and kill one (even with {@code kill -9}) to move its
 * partitions to the others, which replay them from the offsets the store committed.
 *
 * <p>A split deployment plans without observed rates: {@code volume: auto} counts as not yet observed on every
 * node, so that the serving node and the workers always agree which views are hot.
 */
public final class HotWorker implements AutoCloseable {

    /** The worker group's name when none is given. */
    public static final String DEFAULT_GROUP = "tandem-workers";

    private final TandemConfig config;
    private final EngineMetrics metrics = new EngineMetrics();
    private final Map<String, EventLog> logs = new LinkedHashMap<>();
    private final RealtimeStore store;
    private final HotPath hotPath;
    private final DeadLetters deadLetters;
    private final PartitionGroup group;
    private final long startedAt;
    private final TandemOptions options;
    private boolean closed;

    private HotWorker(TandemConfig config, TandemOptions options, String groupName) {
        List<String> contradictions = Planner.contradictions(config);
        if (!contradictions.isEmpty()) {
            throw new ConfigException("config", contradictions);
        }
        this.config = config;
        this.options = options;
        this.startedAt = options.clock().getAsLong();
        EventLogProvider logKind = Providers.find(EventLogProvider.class, "log.kind",
                config.deployment().log().kind());
        RealtimeStoreProvider storeKind = Providers.find(RealtimeStoreProvider.class, "store.kind",
                config.deployment().store().kind());
        PartContext logContext = new PartContext(config, config.deployment().log(), options.dataDir(),
                options.clock());
        Plan plan = Planner.plan(config, stream -> OptionalLong.empty());
        Catalog catalog = new Catalog(config, plan);
        try {
            for (StreamDef s : config.streams().values()) {
                logs.put(s.name(), logKind.open(s, options.partitions(), logContext));
            }
            this.store = storeKind.open(catalog, new PartContext(config, config.deployment().store(),
                    options.dataDir(), options.clock()));
        } catch (IOException e) {
            logs.values().forEach(EventLog::close);
            throw new UncheckedIOException("cannot start the worker: " + e.getMessage(), e);
        }
        try {
            this.deadLetters = DeadLetters.open(options.dataDir().resolve("dead-letters"), logs.keySet());
            this.hotPath = new HotPath(catalog, logs, store, metrics, options.clock(), List.of(), false,
                    deadLetters);
            for (String stream : logs.keySet()) {
                metrics.gauge("tandem.hot.lag.events", "Durable events not yet applied by the hot path",
                        Map.of("stream", stream), hotPath, h -> h.lag(stream));
            }
            this.group = logKind.join(logs, groupName, logContext, new PartitionGroup.Listener() {
                @Override
                public void assigned(String stream, Collection<Integer> partitions) {
                    hotPath.assign(stream, partitions);
                }

                @Override
                public void revoked(String stream, Collection<Integer> partitions) {
                    hotPath.revoke(stream, partitions);
                }
            });
        } catch (IOException | RuntimeException e) {
            store.close();
            logs.values().forEach(EventLog::close);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot join the worker group: " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * Opens the logs and the store, joins the worker group and works the partitions it is given.
     *
     * @throws UnsupportedOperationException when the config's log cannot be shared (the file log)
     */
    public static HotWorker start(TandemConfig config, TandemOptions options, String group) {
        return new HotWorker(config, options, group);
    }

    public TandemConfig config() {
        return config;
    }

    public EngineMetrics metrics() {
        return metrics;
    }

    /** The partitions this worker works now, per stream. */
    public Map<String, List<Integer>> worked() {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        logs.keySet().forEach(s -> out.put(s, hotPath.worked(s)));
        return out;
    }

    /** Per stream, the partitions worked and their lags; the uptime. */
    public Map<String, Object> status() {
        Map<String, Object> streams = new LinkedHashMap<>();
        logs.forEach((name, log) -> {
            Map<String, Object> s = new LinkedHashMap<>();
            List<Integer> worked = hotPath.worked(name);
            s.put("partitions", worked);
            s.put("lag", worked.stream().map(p -> hotPath.lag(name, p)).toList());
            streams.put(name, s);
        });
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("role", "worker");
        status.put("uptime_ms", options.clock().getAsLong() - startedAt);
        status.put("streams", streams);
        return status;
    }

    /** Leaves the group (its partitions go to the other workers), then stops. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        group.close();
        hotPath.close();
        deadLetters.close();
        store.close();
        logs.values().forEach(EventLog::close);
    }
}
