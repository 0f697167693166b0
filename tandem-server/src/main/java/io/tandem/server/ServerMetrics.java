package io.tandem.server;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

import java.util.concurrent.TimeUnit;

/**
 * The meters the server adds to the engine's registry: the JVM ({@code jvm_memory_*}, {@code jvm_gc_*},
 * {@code jvm_threads_*}, {@code jvm_classes_*}), the process ({@code process_cpu_usage},
 * {@code process_uptime_seconds}, {@code process_files_open_files}, {@code system_cpu_*}) and
 * {@code http_server_requests_seconds}, one timer per (method, route, status), where {@code route} is the route's
 * template ({@code /v1/views/{view}}), {@code static} for the dashboard's files, or {@code none} for a request that
 * reached no route (an unknown path, or one refused before its route). A server-sent event stream is timed for as
 * long as it stays open.
 */
final class ServerMetrics implements AutoCloseable {

    private final MeterRegistry registry;
    private final JvmGcMetrics gc = new JvmGcMetrics();

    ServerMetrics(MeterRegistry registry) {
        this.registry = registry;
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** Records one finished request; Javalin's request logger calls it. */
    void request(Context ctx, float ms) {
        int status;
        try {
            status = ctx.statusCode();
        } catch (IllegalStateException recycled) {
            return; // a stream that outlived the server: Jetty has already recycled its response
        }
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        String route = endpoint != null ? endpoint.path : status < 400 ? "static" : "none";
        Timer.builder("http.server.requests")
                .description("HTTP requests by method, route template and status")
                .tag("method", ctx.method().name())
                .tag("route", route)
                .tag("status", Integer.toString(status))
                .register(registry)
                .record((long) (ms * 1_000_000.0), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        gc.close();
    }
}
