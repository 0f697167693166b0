package io.tandem.core;

/**
 * A scheduled report: a SQL template over the lake, run for each period once the batch layer covers it.
 *
 * @param sql      the query, with {@code {{period_start}}} and {@code {{period_end}}} placeholders
 * @param schedule {@code hourly}, {@code daily at HH:MM}, {@code weekly} or {@code monthly} (UTC)
 * @param format   {@code csv}, {@code parquet} or {@code json}
 * @param needs    what the report declares it needs; a report runs on the cold path only
 */
public record ReportDef(String name, String sql, String schedule, String format, Needs needs) {

    /** A report that declares no needs. */
    public ReportDef(String name, String sql, String schedule, String format) {
        this(name, sql, schedule, format, Needs.NONE);
    }
}
