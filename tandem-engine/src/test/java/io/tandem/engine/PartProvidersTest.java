package io.tandem.engine;

import io.tandem.core.config.ConfigException;
import io.tandem.engine.batch.DuckDbBatchEngineProvider;
import io.tandem.engine.log.FileEventLogProvider;
import io.tandem.engine.store.InMemoryRealtimeStoreProvider;
import io.tandem.spi.Providers;
import io.tandem.spi.batch.BatchEngineProvider;
import io.tandem.spi.log.EventLogProvider;
import io.tandem.spi.store.RealtimeStoreProvider;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The embedded parts are registered as providers, and a kind with no provider is an error naming the key. */
class PartProvidersTest {

    @Test
    void theEmbeddedKinds_areFoundOnTheClasspath() {
        assertThat(Providers.find(EventLogProvider.class, "log.kind", "file"))
                .isInstanceOf(FileEventLogProvider.class);
        assertThat(Providers.find(RealtimeStoreProvider.class, "store.kind", "memory"))
                .isInstanceOf(InMemoryRealtimeStoreProvider.class);
        assertThat(Providers.find(BatchEngineProvider.class, "batch.engine", "duckdb"))
                .isInstanceOf(DuckDbBatchEngineProvider.class);
    }

    @Test
    void aKindWithNoProvider_isAConfigErrorNamingTheKeyTheKindAndWhatWasFound() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> Providers.find(RealtimeStoreProvider.class, "store.kind", "redis"));

        assertThat(e.errors()).containsExactly("store.kind: no implementation of 'redis' on the classpath (found: "
                + "memory)");
    }
}
