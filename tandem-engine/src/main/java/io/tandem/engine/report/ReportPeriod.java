package io.tandem.engine.report;

/**
 * One period of a report, half-open {@code [startMs, endMs)} in UTC.
 *
 * @param id the period as written in file names and on the command line: {@code 2026-11-25T10} (an hour),
 *           {@code 2026-11-25} (a day), {@code 2026-W48} (an ISO week) or {@code 2026-11} (a month)
 */
public record ReportPeriod(String id, long startMs, long endMs) {
}
