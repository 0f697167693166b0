package io.tandem.engine.log;

import io.tandem.core.StreamDef;
import io.tandem.spi.PartContext;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.log.EventLogProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** {@code log: {kind: file}}, the default: a {@link FileEventLog} per stream in {@code <data-dir>/log/<stream>}. */
public final class FileEventLogProvider implements EventLogProvider {

    private static final Logger LOG = LoggerFactory.getLogger(FileEventLogProvider.class);

    @Override
    public String kind() {
        return "file";
    }

    @Override
    public EventLog open(StreamDef stream, int partitions, PartContext context) throws IOException {
        Path dir = context.dataDir().resolve("log").resolve(stream.name());
        return FileEventLog.open(dir, existingPartitions(dir, partitions), context.config().epochMs(),
                context.clock(), FileEventLog.Options.defaults());
    }

    /** A log keeps the partition count it was created with: one numbered folder per partition. */
    private static int existingPartitions(Path dir, int wanted) throws IOException {
        if (!Files.isDirectory(dir)) {
            return wanted;
        }
        try (Stream<Path> children = Files.list(dir)) {
            int existing = (int) children.filter(p -> p.getFileName().toString().matches("\\d+")).count();
            if (existing > 0 && existing != wanted) {
                LOG.info("log {} has {} partitions; keeping them (asked for {})", dir, existing, wanted);
            }
            return existing > 0 ? existing : wanted;
        }
    }
}
