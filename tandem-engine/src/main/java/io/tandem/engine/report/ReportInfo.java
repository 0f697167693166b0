package io.tandem.engine.report;

import java.util.List;

/**
 * A configured report and what it has written so far.
 *
 * @param lastPeriod the latest period written, or null before the first
 * @param files      the file names written, oldest period first
 */
public record ReportInfo(String name, String schedule, String format, String lastPeriod, List<String> files) {

    public ReportInfo {
        files = List.copyOf(files);
    }
}
