package io.tandem.engine.report;

import java.nio.file.Path;

/**
 * One period of one report, on disk.
 *
 * @param file      {@code <data-dir>/reports/<name>/<period>.<format>}
 * @param rows      rows written by this run, or -1 when the file already existed and was left as it was
 * @param written   false when the file already existed (runs are idempotent unless forced)
 * @param elapsedMs time spent, query and writing
 */
public record ReportResult(String report, String period, Path file, long rows, boolean written, long elapsedMs) {
}
