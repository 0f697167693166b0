package io.tandem.spi;

/**
 * Opens one kind of a swappable part ({@code log.kind}, {@code store.kind}, {@code batch.engine} in the config).
 * Each implementation module registers its providers in {@code META-INF/services}, under the provider interface's
 * name ({@link io.tandem.spi.log.EventLogProvider}, {@link io.tandem.spi.store.RealtimeStoreProvider},
 * {@link io.tandem.spi.batch.BatchEngineProvider}); Tandem finds them with {@link Providers#find}.
 */
public interface Provider {

    /** The kind this provider opens, as the config names it: {@code file}, {@code memory}, {@code duckdb}. */
    String kind();
}
