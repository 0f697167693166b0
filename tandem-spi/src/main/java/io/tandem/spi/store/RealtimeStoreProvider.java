package io.tandem.spi.store;

import io.tandem.spi.PartContext;
import io.tandem.spi.Provider;
import io.tandem.spi.view.Catalog;

import java.io.IOException;

/** Opens the real-time store, for {@code store: {kind: ...}}. */
public interface RealtimeStoreProvider extends Provider {

    /** Opens (or recovers) the store of the catalogue's hot views. */
    RealtimeStore open(Catalog catalog, PartContext context) throws IOException;
}
