package io.tandem.spi.batch;

import io.tandem.spi.PartContext;
import io.tandem.spi.Provider;

import java.io.IOException;

/** Opens the batch engine, for {@code batch: {engine: ...}}. */
public interface BatchEngineProvider extends Provider {

    BatchEngine open(PartContext context) throws IOException;
}
