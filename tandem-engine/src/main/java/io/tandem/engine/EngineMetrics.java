package io.tandem.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/** The engine's meters, scraped at {@code /metrics} in Prometheus format. */
public final class EngineMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer ingestToVisible = Timer.builder("tandem.ingest.to.visible")
            .description("Time from an event's durable append to its visibility in view queries")
            .publishPercentiles(0.5, 0.99)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

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

    /** Events applied by the hot path, per stream. */
    public Counter hotEvents(String stream) {
        return counter("tandem.hot.events", "Events applied by the hot path", "stream", stream);
    }

    /** Log records the hot path could not decode and skipped, per stream. */
    public Counter badRecords(String stream) {
        return counter("tandem.hot.bad.records", "Log records the hot path could not decode (skipped)", "stream",
                stream);
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
