package io.tandem.engine.report;

/**
 * The last failure of a report's scheduled run, kept until a run of it succeeds.
 *
 * @param period the period that failed
 * @param error  why, as the run's exception said
 * @param atMs   when (the clock of the run)
 */
public record ReportFailure(String period, String error, long atMs) {
}
