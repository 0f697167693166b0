package io.tandem.spi.log;

import io.tandem.core.StreamDef;
import io.tandem.spi.PartContext;
import io.tandem.spi.Provider;

import java.io.IOException;
import java.util.Map;

/** Opens the log of a stream, for {@code log: {kind: ...}}. */
public interface EventLogProvider extends Provider {

    /**
     * Opens (or recovers) the log of one stream, with epochs of the config's length.
     *
     * @param partitions the partitions of a new log; a log that exists keeps the count it was created with
     */
    EventLog open(StreamDef stream, int partitions, PartContext context) throws IOException;

    /**
     * Joins the group of processes that share the partitions of {@code logs} (opened by this provider), for
     * {@code serve --role worker}. A log kept by one process (the file log) cannot be shared.
     *
     * @param group the group's name: processes with the same name share the partitions
     * @throws UnsupportedOperationException when this kind of log cannot be shared by processes
     */
    default PartitionGroup join(Map<String, EventLog> logs, String group, PartContext context,
                                PartitionGroup.Listener listener) throws IOException {
        throw new UnsupportedOperationException("a log of kind '" + kind() + "' is kept by one process and cannot "
                + "be shared by workers; use log: {kind: kafka}");
    }
}
