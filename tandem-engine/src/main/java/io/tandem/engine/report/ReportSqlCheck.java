package io.tandem.engine.report;

import io.tandem.core.ReportDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigException;
import io.tandem.engine.batchview.ParquetBatchViewStore;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.engine.lake.ParquetLake;
import io.tandem.engine.sql.SqlException;
import io.tandem.engine.sql.SqlService;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Checks the reports' SQL against the schema, before any report runs: at {@code tandem validate} and when Tandem
 * starts. Each report's template, with its period placeholders replaced, is parsed and bound by DuckDB in the same
 * {@link SqlService} sandbox the reports run in, over empty tables with the columns the lake and the batch views will
 * have: one per stream (the declared fields, the time column and the lake's system columns) and one per view. So
 * SQL that does not parse, is not a single read-only query, or names a table, column or function that does not
 * exist is refused with the key path of the report and DuckDB's message, e.g.
 * {@code reports.daily_ohlcv.sql: Binder Error: Referenced column "qtty" not found in FROM clause! ...}. Failures
 * that depend on the data (a cast of a bad value) still show only when the report runs.
 */
public final class ReportSqlCheck {

    private ReportSqlCheck() {
    }

    /** Every report whose SQL the schema refuses, one error each, in config order; empty when all bind. */
    public static List<String> errors(TandemConfig config) {
        List<String> errors = new ArrayList<>();
        if (config.reports().isEmpty()) {
            return errors;
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("tandem-report-check");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder to check the reports' SQL in", e);
        }
        Path lake = dir.resolve("lake");
        Path views = dir.resolve("views");
        try (SqlService sql = new SqlService(lake, views, new DuckDb(config.duckdb(), dir.resolve("tmp")))) {
            Map<String, String> tables = new LinkedHashMap<>();
            Map<String, String> empty = new LinkedHashMap<>();
            config.streams().values().forEach(s -> {
                tables.put(s.name(), SqlService.lakeGlob(lake, s.name()));
                empty.put(s.name(), ParquetLake.emptySelect(s));
            });
            for (CompiledView v : new Catalog(config).views().values()) {
                tables.put(v.name(), views.resolve(v.name() + ".parquet").toString());
                empty.put(v.name(), ParquetBatchViewStore.emptySelect(v));
            }
            sql.setTables(tables, empty);
            for (ReportDef report : config.reports().values()) {
                try {
                    sql.check(ReportRunner.sql(report, 0, 86_400_000L));
                } catch (SqlException e) {
                    errors.add("reports." + report.name() + ".sql: " + oneLine(e.getMessage()));
                }
            }
        } finally {
            delete(dir);
        }
        return errors;
    }

    /**
     * Refuses a config whose reports' SQL the schema refuses.
     *
     * @throws ConfigException with every such report's error
     */
    public static void validate(TandemConfig config, String source) {
        List<String> errors = errors(config);
        if (!errors.isEmpty()) {
            throw new ConfigException(source, errors);
        }
    }

    /** DuckDB's message up to its first blank line (the excerpt of the SQL after it points into another text). */
    private static String oneLine(String message) {
        return message.strip().split("\\R\\s*\\R")[0].replaceAll("\\s*\\R\\s*", " ");
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
