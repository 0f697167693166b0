package io.tandem.spi;

import io.tandem.core.ComponentDef;
import io.tandem.core.TandemConfig;

import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * What a {@link Provider} is given to open its part.
 *
 * @param config  the whole config
 * @param part    the part's kind and settings, as the config gives them
 * @param dataDir the process's data directory; a part that keeps files keeps them under it
 * @param clock   the arrival clock, in epoch milliseconds
 */
public record PartContext(TandemConfig config, ComponentDef part, Path dataDir, LongSupplier clock) {
}
