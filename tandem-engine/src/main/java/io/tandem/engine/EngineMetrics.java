package io.tandem.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The engine's meters, scraped at {@code /metrics} in Prometheus format.
 *
 * <p>A timer's {@code _count}, {@code _sum} and histogram buckets grow for the life of the process, while its
 * {@code _max} and quantiles cover a sliding window of the last {@link #WINDOW} only (they fall to 0 when nothing
 * is recorded for that long); every timer's HELP says so.
 */
public final class EngineMetrics {

    /** The window of every timer's and distribution's {@code _max} and quantiles. */
    public static final Duration WINDOW = Duration.ofMinutes(2);
    private static final String WINDOW_NOTE = "; _max and quantiles over the last " + WINDOW.toMinutes()
            + " minutes only";

    private final PrometheusMeterRegistry registry = windowed(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    private final Timer ingestToVisible = Timer.builder("tandem.ingest.to.visible")
            .description("Time from an event's durable append to its visibility in view queries, sampled once per "
                    + "distinct arrival millisecond of each applied batch: _count counts those samples, not events")
            .publishPercentiles(0.5, 0.99)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /** Gives every timer and distribution the {@link #WINDOW} and says so in its description. */
    private static PrometheusMeterRegistry windowed(PrometheusMeterRegistry registry) {
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (id.getType() != Meter.Type.TIMER && id.getType() != Meter.Type.DISTRIBUTION_SUMMARY) {
                    return id;
                }
                String d = id.getDescription() == null ? "" : id.getDescription();
                return d.endsWith(WINDOW_NOTE) ? id
                        : new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(),
                                d + WINDOW_NOTE, id.getType());
            }

            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return DistributionStatisticConfig.builder().expiry(WINDOW).build().merge(config);
            }
        });
        return registry;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public Timer ingestToVisible() {
        return ingestToVisible;
    }

    /** Records accepted at ingest (durable), per stream. */
    public Counter accepted(String stream) {
        return counter("tandem.ingest.accepted", "Records accepted at ingest (durable)", "stream", stream);
    }

    /** Records rejected at ingest, per stream. */
    public Counter rejected(String stream) {
        return counter("tandem.ingest.rejected", "Records rejected at ingest", "stream", stream);
    }

    /** Failed real-time store calls of the hot path (each one retried or replayed), per stream. */
    public Counter storeFailures(String stream) {
        return counter("tandem.hot.store.failures", "Real-time store calls of the hot path that failed (the shard "
                + "is acquired again and the log replayed from its committed offset)", "stream", stream);
    }

    /** Events applied by the hot path, per stream. */
    public Counter hotEvents(String stream) {
        return counter("tandem.hot.events", "Events applied by the hot path", "stream", stream);
    }

    /** Log records the hot path could not decode or place in a view and skipped whole, per stream. */
    public Counter badRecords(String stream) {
        return counter("tandem.hot.bad.records", "Log records the hot path could not decode or place in a view "
                + "(skipped whole)", "stream", stream);
    }

    /** Exceptions thrown by hot-path listeners (alerts, live views) and caught, per stream. */
    public Counter listenerFailures(String stream) {
        return counter("tandem.hot.listener.failures", "Exceptions thrown by hot-path listeners (alerts, live "
                + "views), caught; the event stays counted", "stream", stream);
    }

    /** Events applied after their bucket had closed (still counted exactly), per view. */
    public Counter lateAfterClose(String view) {
        return counter("tandem.late.after.close", "Events applied after their bucket had closed (still counted)",
                "view", view);
    }

    private Counter counter(String name, String description, String tag, String value) {
        return counters.computeIfAbsent(name + '|' + value,
                k -> Counter.builder(name).description(description).tag(tag, value).register(registry));
    }

    /** Registers a gauge that reads {@code source} at scrape time. */
    public <T> void gauge(String name, String description, Map<String, String> tags, T source,
                          ToDoubleFunction<T> value) {
        Gauge.Builder<T> b = Gauge.builder(name, source, value)
                .description(description);
        tags.forEach(b::tag);
        b.register(registry);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }
}
