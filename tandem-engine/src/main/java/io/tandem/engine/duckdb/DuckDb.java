package io.tandem.engine.duckdb;

import io.tandem.core.DuckDbDef;
import io.tandem.core.TandemConfig;
import org.duckdb.DuckDBConnection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Opens Tandem's in-memory DuckDB instances, each within the config's {@code duckdb.memory_limit} and thread count
 * and spilling what does not fit (large sorts, aggregates, an epoch staged before it is sealed) into a folder of
 * its own under {@code spillRoot}, so that two instances never share temporary files. What a crashed process left
 * in that folder is deleted when the instance opens.
 */
public final class DuckDb {

    private final DuckDbDef limits;
    private final Path spillRoot;

    /**
     * @param limits    the memory limit and threads of each instance
     * @param spillRoot where each instance gets its spill folder, {@code <spillRoot>/<name>}
     */
    public DuckDb(DuckDbDef limits, Path spillRoot) {
        this.limits = limits;
        this.spillRoot = spillRoot.toAbsolutePath();
    }

    /** The instances of a process: the config's limits, spilling under {@code <dataDir>/tmp/duckdb}. */
    public static DuckDb of(TandemConfig config, Path dataDir) {
        return new DuckDb(config.duckdb(), dataDir.resolve("tmp").resolve("duckdb"));
    }

    /**
     * A new instance named {@code name} (its spill folder's name). {@code settings} are DuckDB settings given at
     * start-up; a {@code threads} among them wins over the configured count, the memory limit and spill folder
     * never do.
     */
    public DuckDBConnection open(String name, Properties settings) throws SQLException {
        Path spill = spillRoot.resolve(name);
        try {
            Files.createDirectories(spill);
            try (Stream<Path> left = Files.list(spill)) {
                for (Path file : left.toList()) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create DuckDB's spill folder " + spill, e);
        }
        Properties p = new Properties();
        p.setProperty("threads", Integer.toString(limits.threads()));
        p.putAll(settings);
        p.setProperty("memory_limit", limits.memoryLimitBytes() + "B");
        p.setProperty("temp_directory", spill.toString());
        return (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:", p);
    }

    /** A new instance with no settings but the limits. */
    public DuckDBConnection open(String name) throws SQLException {
        return open(name, new Properties());
    }
}
