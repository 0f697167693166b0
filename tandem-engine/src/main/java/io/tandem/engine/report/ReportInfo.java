package io.tandem.engine.report;

import java.util.List;

/**
 * A configured report and what it has written so far.
 *
 * @param lastPeriod the latest period written, or null before the first
 * @param files      the file names written, oldest period first
 * @param lastError  the last failure of a scheduled run, or null when the latest run succeeded (or none failed)
 */
public record ReportInfo(String name, String schedule, String format, String lastPeriod, List<String> files,
                         ReportFailure lastError) {

    public ReportInfo {
        files = List.copyOf(files);
    }
}
