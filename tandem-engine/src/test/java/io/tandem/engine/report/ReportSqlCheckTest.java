package io.tandem.engine.report;

import io.tandem.core.ReportDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Report SQL checked against the streams' and views' columns before anything runs. */
class ReportSqlCheckTest {

    static final TandemConfig MARKET = ConfigLoader.load(Path.of("../examples/market.yaml"));
    static final String PERIOD = " WHERE ts >= {{period_start}} AND ts < {{period_end}}";

    @TempDir
    Path dir;

    static TandemConfig withReports(Map<String, String> sqlByName) {
        Map<String, ReportDef> reports = new LinkedHashMap<>(MARKET.reports());
        sqlByName.forEach((name, sql) -> reports.put(name, new ReportDef(name, sql, "daily at 00:05", "csv")));
        return new TandemConfig(MARKET.epochMs(), MARKET.streams(), MARKET.views(), MARKET.batchEvery(), reports,
                MARKET.alerts());
    }

    @Test
    void reportsThatBind_passWithNoError_overStreamsAndViews() {
        TandemConfig config = withReports(Map.of(
                "system_columns", "SELECT _epoch, _partition, count(*) FROM trades" + PERIOD + " GROUP BY ALL",
                "over_a_view", "SELECT bucket, symbol, volume, p99_qty, traders FROM trades_1m WHERE bucket >= "
                        + "{{period_start}} AND bucket < {{period_end}}",
                "market", "SELECT bucket, trades, symbols FROM market_1m"));

        assertThat(ReportSqlCheck.errors(config)).isEmpty();
    }

    @Test
    void sqlThatDoesNotParse_orNamesAnUnknownTableOrColumn_isAnErrorWithTheReportsKeyPath() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("no_parse", "SELEC symbol FROM trades" + PERIOD);
        bad.put("no_table", "SELECT symbol FROM quotes" + PERIOD);
        bad.put("no_column", "SELECT symbol, sum(qtty) FROM trades" + PERIOD + " GROUP BY symbol");
        bad.put("no_measure", "SELECT bucket, vwap FROM trades_1m");
        bad.put("not_a_query", "COPY (SELECT {{period_start}}, {{period_end}}) TO 'x.csv'");

        assertThat(ReportSqlCheck.errors(withReports(bad))).satisfiesExactly(
                e -> assertThat(e).isEqualTo("reports.no_parse.sql: syntax error at or near \"SELEC\" "
                        + "(at character 1)"),
                e -> assertThat(e).startsWith("reports.no_table.sql: Catalog Error: Table with name quotes does not "
                        + "exist!"),
                e -> assertThat(e).isEqualTo("reports.no_column.sql: Binder Error: Referenced column \"qtty\" not "
                        + "found in FROM clause! Candidate bindings: \"qty\", \"ts\", \"_partition\""),
                e -> assertThat(e).startsWith("reports.no_measure.sql: Binder Error: Referenced column \"vwap\" not "
                        + "found"),
                e -> assertThat(e).startsWith("reports.not_a_query.sql: only a single read-only query is allowed"));
    }

    @Test
    void tandem_refusesToStartWithAReportThatDoesNotBind() {
        TandemConfig config = withReports(Map.of("no_column", "SELECT qtty FROM trades" + PERIOD));

        assertThatThrownBy(() -> Tandem.start(config, TandemOptions.defaults(dir)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).singleElement().asString()
                        .startsWith("reports.no_column.sql: Binder Error: Referenced column \"qtty\" not found"));
        assertThat(dir).isEmptyDirectory();
    }
}
