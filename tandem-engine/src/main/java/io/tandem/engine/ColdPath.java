package io.tandem.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.engine.batchview.BatchRunner;
import io.tandem.engine.batchview.ParquetBatchViewStore;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.engine.lake.ParquetLake;
import io.tandem.engine.report.ReportRunner;
import io.tandem.engine.sql.SqlService;
import io.tandem.spi.batch.BatchEngine;
import io.tandem.spi.batch.BatchVersion;
import io.tandem.spi.lake.Lake;
import io.tandem.spi.log.EventLog;
import io.tandem.spi.store.RealtimeStore;
import io.tandem.spi.view.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The cold path of one process, and its loop: on every tick the lake seals what it can and the batch runs that are
 * due start ({@link BatchRunner#tick}); after each publish the SQL tables move to the new version, the rest of the
 * process is told, and the reports the new version makes due are written; once a minute the reports are checked
 * anyway (a report may be due by the clock alone).
 */
final class ColdPath implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ColdPath.class);
    private static final long REPORT_CHECK_MS = 60_000;

    private final TandemConfig config;
    private final Lake lake;
    private final ParquetBatchViewStore views;
    private final BatchRunner runner;
    private final SqlService sql;
    private final ReportRunner reports;
    private final LongSupplier clock;
    private final Consumer<BatchVersion> published;
    /** A serving node's: it follows the batch node's publishes and reports, and writes neither. */
    private final boolean following;
    private long lastReportCheck;

    /**
     * @param published told of each published version, after the SQL tables moved to it and before the reports
     */
    ColdPath(Catalog catalog, Lake lake, BatchEngine engine, RealtimeStore store, Map<String, EventLog> logs,
             DuckDb duckdb, Path dir, LongSupplier clock, boolean automaticRuns, BatchRunner.Mode mode,
             MeterRegistry meters, Consumer<BatchVersion> published) {
        this.config = catalog.config();
        this.lake = lake;
        this.clock = clock;
        this.published = published;
        this.following = mode == BatchRunner.Mode.FOLLOW;
        this.views = new ParquetBatchViewStore(dir.resolve("batch"), catalog, duckdb, following);
        this.sql = new SqlService(lake.root(), views.dir(), duckdb);
        this.runner = new BatchRunner(catalog, lake, engine, views, views.dir().resolve("runs.jsonl"), store, logs,
                clock, automaticRuns, mode, meters, this::onPublish);
        this.reports = new ReportRunner(config, dir, sql, duckdb, this::coveredUntil);
        sql.setTables(tables(runner.current()), emptyStreams());
    }

    /** Ticks on {@code executor}: often enough to seal an epoch soon after it ends, at most every 2 s. */
    void start(ScheduledExecutorService executor) {
        long tick = Math.max(100, Math.min(2_000, config.epochMs() / 5));
        executor.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    BatchRunner runner() {
        return runner;
    }

    ParquetBatchViewStore views() {
        return views;
    }

    SqlService sql() {
        return sql;
    }

    ReportRunner reports() {
        return reports;
    }

    private void onPublish(BatchVersion version) {
        sql.setTables(tables(version), emptyStreams());
        published.accept(version);
        runDueReports();
    }

    private void tick() {
        try {
            runner.tick();
            if (clock.getAsLong() - lastReportCheck >= REPORT_CHECK_MS) {
                lastReportCheck = clock.getAsLong();
                runDueReports();
            }
        } catch (RuntimeException e) {
            LOG.error("cold path tick failed; will retry", e);
        }
    }

    private void runDueReports() {
        if (following) {
            return;
        }
        long lateness = config.streams().values().stream().mapToLong(StreamDef::latenessMs).max().orElse(0);
        reports.runDue(coveredUntil(), lateness, clock.getAsLong());
    }

    /** The arrival time up to which the batch views cover the lake, or {@link Long#MIN_VALUE}. */
    private long coveredUntil() {
        BatchVersion v = runner.current();
        return v.isEmpty() ? Long.MIN_VALUE : v.untilMs();
    }

    /** For each stream, its SQL table before the lake has a file of it: no rows, the lake's columns. */
    private Map<String, String> emptyStreams() {
        Map<String, String> empty = new LinkedHashMap<>();
        config.streams().values().forEach(s -> empty.put(s.name(), ParquetLake.emptySelect(s)));
        return empty;
    }

    /** Each stream's lake and each view's published batch version, as SQL tables. */
    private Map<String, String> tables(BatchVersion version) {
        Map<String, String> tables = new LinkedHashMap<>();
        config.streams().keySet().forEach(s -> tables.put(s, SqlService.lakeGlob(lake.root(), s)));
        if (!version.isEmpty()) {
            config.views().keySet().forEach(v -> tables.put(v, views.parquetGlob(version.version(), v)));
        }
        return tables;
    }

    /** Stops the runs (waiting for one in flight), the reports and the SQL, then closes the lake. */
    @Override
    public void close() {
        runner.close();
        reports.close();
        sql.close();
        lake.close();
    }
}
