package io.tandem.core.config;

import io.tandem.core.ReportDef;
import io.tandem.core.TandemConfig;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The {@code batch} and {@code reports} sections: what they read, and the error each mistake gives. */
class ConfigReportsTest {

    private static final String TRADES = """
            streams:
              trades:
                time: ts
                fields: {symbol: string, price: double, qty: long}
            """;

    private static final String SQL = "SELECT * FROM trades WHERE ts >= {{period_start}} AND ts < {{period_end}}";

    /** {@link #TRADES} plus one report {@code r} with the given body. */
    private static String report(String body) {
        return TRADES + "reports:\n  r:\n" + body.indent(4);
    }

    private static String reportWith(String schedule, String format) {
        return report("sql: \"" + SQL + "\"\nschedule: " + schedule + "\nformat: " + format);
    }

    @Test
    void batchAndReports_areRead() {
        TandemConfig config = ConfigLoader.parse(TRADES + """
                batch: {every: 3}
                reports:
                  hourly_volume:
                    sql: "%s"
                    schedule: hourly
                    format: parquet
                  daily_ohlcv:
                    sql: "%s"
                    schedule: daily at 23:59
                    format: json
                """.formatted(SQL, SQL), "test.yaml");

        assertThat(config.batchEvery()).isEqualTo(3);
        assertThat(config.reports().values()).containsExactly(
                new ReportDef("hourly_volume", SQL, "hourly", "parquet"),
                new ReportDef("daily_ohlcv", SQL, "daily at 23:59", "json"));
    }

    @Test
    void batchWithoutEvery_takesTheDefault() {
        assertThat(ConfigLoader.parse(TRADES + "batch: {}\n", "test.yaml").batchEvery())
                .isEqualTo(TandemConfig.DEFAULT_BATCH_EVERY);
    }

    static Stream<Arguments> corpus() {
        return Stream.of(
                bad(TRADES + "batch: 1\n", "batch: expected a mapping like {every: 1}, got 1"),
                bad(TRADES + "batch: {every: 0}\n",
                        "batch.every: expected a whole number of sealed epochs, at least 1, got 0"),
                bad(TRADES + "batch: {every: 1.5}\n",
                        "batch.every: expected a whole number of sealed epochs, at least 1, got 1.5"),
                bad(TRADES + "batch: {every: \"2\"}\n",
                        "batch.every: expected a whole number of sealed epochs, at least 1, got \"2\""),
                bad(TRADES + "batch: {every: 1, engine: flink}\n",
                        "batch.engine: unknown engine 'flink' (expected duckdb, spark)"),
                bad(TRADES + "batch: {every: 1, retries: 3}\n", "batch.retries: unknown key (expected every, engine)"),
                bad(TRADES + "reports: [r]\n", "reports: expected a mapping of report name to report, got a list"),
                bad(TRADES + "reports:\n  daily-ohlcv: {sql: x, schedule: hourly, format: csv}\n",
                        "reports.daily-ohlcv: invalid name 'daily-ohlcv' (a name must match [A-Za-z_][A-Za-z0-9_]*)",
                        "reports.daily-ohlcv.sql: missing {{period_start}} and {{period_end}} (the SQL must select "
                                + "the rows of one period, e.g. WHERE ts >= {{period_start}} AND ts < "
                                + "{{period_end}})"),
                bad(TRADES + "reports:\n  r: SELECT 1\n",
                        "reports.r: expected a mapping with sql, schedule, format, needs, got \"SELECT 1\""),
                bad(report("sql: \"" + SQL + "\"\nschedule: hourly\nformat: csv\nemail: me"),
                        "reports.r.email: unknown key (expected sql, schedule, format, needs)"),
                bad(report("schedule: hourly\nformat: csv"),
                        "reports.r.sql: missing (a SELECT over the lake filtered on {{period_start}} and "
                                + "{{period_end}})"),
                bad(report("sql: \"SELECT * FROM trades WHERE ts >= {{period_start}}\"\nschedule: hourly\n"
                                + "format: csv"),
                        "reports.r.sql: missing {{period_end}} (the SQL must select the rows of one period, "
                                + "e.g. WHERE ts >= {{period_start}} AND ts < {{period_end}})"),
                bad(report("sql: [SELECT 1]\nschedule: hourly\nformat: csv"),
                        "reports.r.sql: expected a SELECT over the lake filtered on {{period_start}} and "
                                + "{{period_end}}, got a list"),
                bad(reportWith("dayly", "csv"),
                        "reports.r.schedule: expected hourly, daily at HH:MM, weekly or monthly, got \"dayly\""),
                bad(reportWith("daily", "csv"),
                        "reports.r.schedule: expected hourly, daily at HH:MM, weekly or monthly, got \"daily\""),
                bad(reportWith("daily at 0:05", "csv"),
                        "reports.r.schedule: expected hourly, daily at HH:MM, weekly or monthly, "
                                + "got \"daily at 0:05\""),
                bad(reportWith("daily at 24:00", "csv"),
                        "reports.r.schedule: the time of day must be 00:00 to 23:59, got \"daily at 24:00\""),
                bad(report("sql: \"" + SQL + "\"\nformat: csv"),
                        "reports.r.schedule: missing (hourly, daily at HH:MM, weekly or monthly, in UTC)"),
                bad(reportWith("hourly", "xlsx"), "reports.r.format: expected csv, parquet or json, got \"xlsx\""),
                bad(report("sql: \"" + SQL + "\"\nschedule: hourly"),
                        "reports.r.format: missing (csv, parquet or json)"));
    }

    private static Arguments bad(String yaml, String... errors) {
        return Arguments.of(Named.of(errors[0], yaml), List.of(errors));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void badBatchOrReport_reportsExactlyItsErrors(String yaml, List<String> errors) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, "test.yaml"));

        assertThat(e).as("a ConfigException for:\n%s", yaml).isNotNull();
        assertThat(e.errors()).containsExactlyElementsOf(errors);
    }
}
