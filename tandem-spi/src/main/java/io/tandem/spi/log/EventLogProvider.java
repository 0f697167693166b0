package io.tandem.spi.log;

import io.tandem.core.StreamDef;
import io.tandem.spi.PartContext;
import io.tandem.spi.Provider;

import java.io.IOException;

/** Opens the log of a stream, for {@code log: {kind: ...}}. */
public interface EventLogProvider extends Provider {

    /**
     * Opens (or recovers) the log of one stream, with epochs of the config's length.
     *
     * @param partitions the partitions of a new log; a log that exists keeps the count it was created with
     */
    EventLog open(StreamDef stream, int partitions, PartContext context) throws IOException;
}
