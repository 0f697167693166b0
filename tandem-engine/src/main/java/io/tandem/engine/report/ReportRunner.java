package io.tandem.engine.report;

import io.tandem.core.ReportDef;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.time.Durations;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.engine.sql.SqlException;
import io.tandem.engine.sql.SqlResult;
import io.tandem.engine.sql.SqlService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Runs the configured reports and writes each period to {@code <data-dir>/reports/<name>/<period>.<format>}.
 *
 * <p>A report's SQL is its template with {@code {{period_start}}} and {@code {{period_end}}} replaced by
 * {@code TIMESTAMP '2026-11-25 00:00:00'} literals (UTC, like the lake's time columns). It runs in the
 * {@link SqlService} sandbox, read-only like any user SQL, with no row limit and a time limit of
 * {@link #REPORT_TIMEOUT}. The file is written atomically (see {@link ReportWriter}).
 *
 * <p><b>When a period runs.</b> It is <i>due</i> once its run time has come ({@link ReportSchedule#runAtMs}), and
 * <i>covered</i> once the batch covers every epoch that can hold events of the period: an event arrives at or after
 * its event time, and no later than the allowed lateness after it unless it is late, so the period is covered when
 * the batch covers arrivals up to its end plus the largest lateness of any stream ({@code coveredUntilMs >= end +
 * lateness}). An event later than that is still in the lake; a forced re-run counts it.
 *
 * <p><b>Idempotent.</b> A period whose file exists is not run again, except by a forced {@link #run(String, String,
 * boolean)}, which replaces the file atomically. {@link #runDue} goes on from the latest period written for each
 * report (with none written yet, it runs only the latest period due and covered: older ones are run by hand), oldest
 * first, at most {@link #MAX_CATCH_UP} periods per report per call.
 */
public final class ReportRunner implements AutoCloseable {

    /** The time limit of one report query. */
    public static final Duration REPORT_TIMEOUT = Duration.ofMinutes(10);
    /** Periods of one report that one {@link #runDue} call writes at most; the next call goes on. */
    public static final int MAX_CATCH_UP = 100;

    private static final Logger LOG = LoggerFactory.getLogger(ReportRunner.class);
    private static final DateTimeFormatter LITERAL =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private final Map<String, ReportDef> reports;
    private final Map<String, ReportSchedule> schedules = new LinkedHashMap<>();
    private final Path reportsDir;
    private final SqlService sql;
    private final LongSupplier coveredUntilMs;
    private final long latenessMs;
    private final ReportWriter writer;
    private final Map<String, ReportFailure> failures = new ConcurrentHashMap<>();

    /**
     * @param dataDir        reports go to {@code <dataDir>/reports}
     * @param sql            the sandbox the report SQL runs in
     * @param coveredUntilMs the arrival time up to which the batch covers the lake (the end of the last epoch of the
     *                       published batch), {@link Long#MIN_VALUE} before the first batch; read by explicit runs
     */
    public ReportRunner(TandemConfig config, Path dataDir, SqlService sql, DuckDb duckdb,
                        LongSupplier coveredUntilMs) {
        this.writer = new ReportWriter(duckdb);
        this.reports = config.reports();
        this.reportsDir = dataDir.resolve("reports");
        this.sql = sql;
        this.coveredUntilMs = coveredUntilMs;
        this.latenessMs = config.streams().values().stream().mapToLong(StreamDef::latenessMs).max().orElse(0);
        reports.forEach((name, def) -> schedules.put(name, ReportSchedule.parse(def.schedule())));
    }

    /**
     * Runs every period of every report that is due, covered and not written yet. A report that fails is tried
     * again on the next call, and the others go on; its failure is kept ({@link #failures()}, {@link #list()}) until
     * a run of it succeeds, and logged when it differs from the one before.
     *
     * @param coveredUntilMs the arrival time up to which the batch covers the lake; nothing runs while it is
     *                       {@link Long#MIN_VALUE} (no batch yet)
     * @param latenessMs     the largest allowed lateness of the streams
     * @param nowMs          the wall clock
     * @return the files written by this call
     */
    public synchronized List<ReportResult> runDue(long coveredUntilMs, long latenessMs, long nowMs) {
        List<ReportResult> written = new ArrayList<>();
        if (coveredUntilMs == Long.MIN_VALUE) {
            return written;
        }
        for (Map.Entry<String, ReportSchedule> e : schedules.entrySet()) {
            String name = e.getKey();
            ReportSchedule schedule = e.getValue();
            ReportPeriod covered = schedule.previous(schedule.containing(minus(coveredUntilMs, latenessMs)));
            ReportPeriod due = schedule.previous(schedule.containing(minus(nowMs, schedule.offsetMs())));
            ReportPeriod last = covered.startMs() <= due.startMs() ? covered : due;
            List<ReportPeriod> done = periodsWritten(name);
            ReportPeriod p = done.isEmpty() ? last : schedule.next(done.get(done.size() - 1));
            for (int n = 0; n < MAX_CATCH_UP && p.startMs() <= last.startMs(); n++, p = schedule.next(p)) {
                try {
                    ReportResult r = execute(name, p, false);
                    if (r.written()) {
                        written.add(r);
                    }
                } catch (ReportException | UncheckedIOException ex) {
                    ReportFailure failure = new ReportFailure(p.id(), ex.getMessage(), nowMs);
                    ReportFailure before = failures.put(name, failure);
                    if (before == null || !before.error().equals(failure.error())) {
                        LOG.error("report {} for period {} failed; it runs again after the next batch: {}", name,
                                p.id(), ex.getMessage());
                    }
                    break;
                }
            }
        }
        return written;
    }

    private static long minus(long a, long b) {
        return a < Long.MIN_VALUE + b ? Long.MIN_VALUE : a - b;
    }

    /** Runs one period, or returns the file already written. */
    public ReportResult run(String name, String period) {
        return run(name, period, false);
    }

    /**
     * Runs one period of a report on request.
     *
     * @param force run even when the file exists, and replace it atomically
     * @throws ReportException for an unknown report, a bad period, a period the batch does not cover yet, or SQL
     *                         that fails
     */
    public synchronized ReportResult run(String name, String period, boolean force) {
        ReportSchedule schedule = schedules.get(name);
        if (schedule == null) {
            throw new ReportException(ReportException.Kind.UNKNOWN_REPORT, "unknown report '" + name + "' (reports: "
                    + (reports.isEmpty() ? "none configured" : String.join(", ", reports.keySet())) + ")");
        }
        ReportPeriod p;
        try {
            p = schedule.period(period);
        } catch (IllegalArgumentException e) {
            throw new ReportException(ReportException.Kind.BAD_PERIOD, "period: " + e.getMessage());
        }
        long covered = coveredUntilMs.getAsLong();
        long needed = p.endMs() + latenessMs;
        if (covered < needed) {
            throw new ReportException(ReportException.Kind.NOT_COVERED, "report " + name + ": period " + p.id()
                    + " is not covered by the batch yet: it needs arrivals up to " + Timestamps.format(needed)
                    + " (the period's end plus " + Durations.format(latenessMs) + " of lateness), and the batch "
                    + (covered == Long.MIN_VALUE ? "has not run yet" : "covers up to " + Timestamps.format(covered)));
        }
        return execute(name, p, force);
    }

    private ReportResult execute(String name, ReportPeriod p, boolean force) {
        ReportDef def = reports.get(name);
        Path file = reportsDir.resolve(name).resolve(p.id() + "." + def.format());
        long started = System.nanoTime();
        if (!force && Files.exists(file)) {
            return new ReportResult(name, p.id(), file, -1, false, 0);
        }
        String text = sql(def, p.startMs(), p.endMs());
        SqlResult result;
        try {
            result = sql.query(text, REPORT_TIMEOUT, Long.MAX_VALUE);
        } catch (SqlException e) {
            throw new ReportException(ReportException.Kind.QUERY_FAILED, "report " + name + ", period " + p.id()
                    + ": " + e.getMessage());
        }
        try {
            long rows = writer.write(result, def.format(), file);
            long elapsed = (System.nanoTime() - started) / 1_000_000;
            LOG.info("report {} for period {}: {} rows to {} in {} ms", name, p.id(), rows, file, elapsed);
            failures.remove(name);
            return new ReportResult(name, p.id(), file, rows, true, elapsed);
        } catch (IOException e) {
            throw new UncheckedIOException("report " + name + ": cannot write " + file, e);
        }
    }

    /** A report's SQL for one period: its placeholders replaced by {@code TIMESTAMP} literals (UTC). */
    static String sql(ReportDef def, long startMs, long endMs) {
        return def.sql().replace("{{period_start}}", literal(startMs)).replace("{{period_end}}", literal(endMs));
    }

    private static String literal(long ms) {
        return "TIMESTAMP '" + LITERAL.format(Instant.ofEpochMilli(ms)) + "'";
    }

    /** Every configured report, with the periods written so far. */
    public List<ReportInfo> list() {
        List<ReportInfo> infos = new ArrayList<>();
        reports.forEach((name, def) -> {
            List<ReportPeriod> done = periodsWritten(name);
            List<String> files = done.stream().map(p -> p.id() + "." + def.format()).toList();
            String last = done.isEmpty() ? null : done.get(done.size() - 1).id();
            infos.add(new ReportInfo(name, def.schedule(), def.format(), last, files, failures.get(name)));
        });
        return infos;
    }

    /** The reports whose last scheduled run failed, by name, with that failure. */
    public Map<String, ReportFailure> failures() {
        return Map.copyOf(failures);
    }

    /** The periods whose file exists, oldest first; temp files and strangers are ignored. */
    private List<ReportPeriod> periodsWritten(String name) {
        Path dir = reportsDir.resolve(name);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        String ext = "." + reports.get(name).format();
        ReportSchedule schedule = schedules.get(name);
        List<ReportPeriod> periods = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String file = f.getFileName().toString();
                if (file.endsWith(ext) && !file.startsWith(".")) {
                    String id = file.substring(0, file.length() - ext.length());
                    try {
                        ReportPeriod p = schedule.period(id);
                        if (p.id().equals(id)) {
                            periods.add(p);
                        }
                    } catch (IllegalArgumentException notAPeriod) {
                        LOG.debug("ignoring {} in {}: not a period of a {} report", file, dir, schedule);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        periods.sort(Comparator.comparingLong(ReportPeriod::startMs));
        return periods;
    }

    @Override
    public void close() {
        writer.close();
    }
}
