package io.tandem.engine.store;

import io.tandem.spi.PartContext;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.store.RealtimeStoreProvider;
import io.tandem.spi.view.Catalog;

/**
 * {@code store: {kind: memory}}, the default: an {@link InMemoryRealtimeStore}, checkpointed in
 * {@code <data-dir>/store}.
 */
public final class InMemoryRealtimeStoreProvider implements RealtimeStoreProvider {

    @Override
    public String kind() {
        return "memory";
    }

    @Override
    public RealtimeStore open(Catalog catalog, PartContext context) {
        return new InMemoryRealtimeStore(catalog, context.dataDir().resolve("store"));
    }
}
