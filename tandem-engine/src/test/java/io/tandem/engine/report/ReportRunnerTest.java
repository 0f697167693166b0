package io.tandem.engine.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.DuckDbDef;
import io.tandem.core.ReportDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.engine.sql.LakeFixture;
import io.tandem.engine.sql.SqlService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Reports over a lake-like folder: the market example, the three formats, idempotency, atomicity, coverage. */
class ReportRunnerTest {

    static final String BY_HOUR = "SELECT date_trunc('hour', ts) AS hour, symbol, sum(qty) AS volume, "
            + "avg(price)::DECIMAL(10,3) AS avg_price, list(qty ORDER BY ts) AS sizes, 'a,\"b\"' AS note "
            + "FROM trades WHERE ts >= {{period_start}} AND ts < {{period_end}} GROUP BY ALL ORDER BY ALL";

    @TempDir
    Path dir;
    Path lake;
    SqlService sql;
    DuckDb duckdb;
    long coveredUntil = Long.MAX_VALUE;
    ReportRunner runner;

    static long t(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @BeforeEach
    void lakeWithTwoDaysOfTrades() throws Exception {
        lake = dir.resolve("lake");
        // epoch 1 holds AAPL at 10:00 and 10:01; epoch 2 brings a trade from 09:59 that arrived late, and MSFT
        LakeFixture.trades(lake, 1, "'AAPL', 100.0, 10, '2026-11-25 10:00:00'",
                "'AAPL', 102.0, 10, '2026-11-25 10:01:00'");
        LakeFixture.trades(lake, 2, "'AAPL', 101.0, 20, '2026-11-25 09:59:00'",
                "'MSFT', 300.0, 5, '2026-11-25 23:59:59.999'");
        LakeFixture.trades(lake, 3, "'AAPL', 999.0, 1, '2026-11-26 00:00:00'");
        duckdb = new DuckDb(DuckDbDef.defaults(), dir.resolve("tmp"));
        sql = new SqlService(lake, dir.resolve("views"), duckdb);
        sql.setTables(Map.of("trades", SqlService.lakeGlob(lake, "trades")), Map.of());
    }

    @AfterEach
    void close() {
        if (runner != null) {
            runner.close();
        }
        sql.close();
    }

    /** The market example's streams and report, plus three reports of {@link #BY_HOUR} in each format. */
    ReportRunner runner(Map<String, ReportDef> extra) {
        TandemConfig market = ConfigLoader.load(Path.of("../examples/market.yaml"));
        Map<String, ReportDef> reports = new LinkedHashMap<>(market.reports());
        reports.putAll(extra);
        TandemConfig config = new TandemConfig(market.epochMs(), market.streams(), market.views(), 1, reports,
                market.alerts());
        runner = new ReportRunner(config, dir, sql, duckdb, () -> coveredUntil);
        return runner;
    }

    ReportRunner runner() {
        return runner(Map.of(
                "hourly_csv", new ReportDef("hourly_csv", BY_HOUR, "daily at 00:00", "csv"),
                "hourly_json", new ReportDef("hourly_json", BY_HOUR, "daily at 00:00", "json"),
                "hourly_parquet", new ReportDef("hourly_parquet", BY_HOUR, "daily at 00:00", "parquet")));
    }

    Path reports(String name) {
        return dir.resolve("reports").resolve(name);
    }

    @Test
    void when_theMarketExampleRunsForADay_then_eachSymbolGetsOhlcvAndVwapByEventTime() throws Exception {
        ReportResult r = runner().run("daily_ohlcv", "2026-11-25");

        // open is the earliest event time (09:59, though it arrived last), close the latest; the 26th is left out
        assertThat(r.written()).isTrue();
        assertThat(r.rows()).isEqualTo(2);
        assertThat(r.file()).isEqualTo(reports("daily_ohlcv").resolve("2026-11-25.csv"));
        assertThat(Files.readString(r.file())).isEqualTo(
                "symbol,open,high,low,close,volume,vwap,trades\r\n"
                        + "AAPL,101.0,102.0,100.0,102.0,40,101.0,3\r\n"
                        + "MSFT,300.0,300.0,300.0,300.0,5,300.0,1\r\n");
    }

    @Test
    void csv_isRfc4180WithAHeader() throws Exception {
        Path file = runner().run("hourly_csv", "2026-11-25").file();

        assertThat(Files.readString(file)).isEqualTo("hour,symbol,volume,avg_price,sizes,note\r\n"
                + "2026-11-25T09:00:00Z,AAPL,20,101.000,[20],\"a,\"\"b\"\"\"\r\n"
                + "2026-11-25T10:00:00Z,AAPL,20,101.000,\"[10,10]\",\"a,\"\"b\"\"\"\r\n"
                + "2026-11-25T23:00:00Z,MSFT,5,300.000,[5],\"a,\"\"b\"\"\"\r\n");
    }

    @Test
    void json_isAnArrayOfObjects() throws Exception {
        Path file = runner().run("hourly_json", "2026-11-25").file();

        JsonNode rows = new ObjectMapper().readTree(file.toFile());
        assertThat(rows.isArray()).isTrue();
        assertThat(rows).hasSize(3);
        assertThat(Files.readAllLines(file).get(2)).isEqualTo("{\"hour\":\"2026-11-25T10:00:00Z\",\"symbol\":\"AAPL\","
                + "\"volume\":20,\"avg_price\":101.000,\"sizes\":[10,10],\"note\":\"a,\\\"b\\\"\"},");
    }

    @Test
    void parquet_keepsTheColumnTypes_andDuckDbReadsItBack() throws Exception {
        Path file = runner().run("hourly_parquet", "2026-11-25").file();

        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            ResultSet types = s.executeQuery("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "
                    + "read_parquet('" + file + "'))");
            Map<String, String> columns = new LinkedHashMap<>();
            while (types.next()) {
                columns.put(types.getString(1), types.getString(2));
            }
            assertThat(columns).containsExactly(Map.entry("hour", "TIMESTAMP"), Map.entry("symbol", "VARCHAR"),
                    Map.entry("volume", "BIGINT"), Map.entry("avg_price", "DECIMAL(10,3)"),
                    Map.entry("sizes", "BIGINT[]"), Map.entry("note", "VARCHAR"));
            ResultSet rows = s.executeQuery("SELECT strftime(hour, '%Y-%m-%d %H'), symbol, volume::BIGINT, "
                    + "avg_price::VARCHAR, sizes::VARCHAR, note FROM read_parquet('" + file + "') ORDER BY ALL");
            List<String> read = new ArrayList<>();
            while (rows.next()) {
                read.add(rows.getString(1) + " " + rows.getString(2) + " " + rows.getLong(3) + " "
                        + rows.getString(4) + " " + rows.getString(5) + " " + rows.getString(6));
            }
            assertThat(read).containsExactly(
                    "2026-11-25 09 AAPL 20 101.000 [20] a,\"b\"",
                    "2026-11-25 10 AAPL 20 101.000 [10, 10] a,\"b\"",
                    "2026-11-25 23 MSFT 5 300.000 [5] a,\"b\"");
        }
    }

    @Test
    void when_aPeriodIsRunAgain_then_theFileIsKept_unlessForced_andThenReplacedWhole() throws Exception {
        ReportRunner reports = runner();
        Path file = reports.run("daily_ohlcv", "2026-11-25").file();
        Object inode = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        String first = Files.readString(file);

        // 1. a trade of the 25th arrives very late, in epoch 4
        LakeFixture.trades(lake, 4, "'IBM', 50.0, 2, '2026-11-25 12:00:00'");

        // 2. running the period again leaves the file alone
        ReportResult again = reports.run("daily_ohlcv", "2026-11-25");
        assertThat(again.written()).isFalse();
        assertThat(again.rows()).isEqualTo(-1);
        assertThat(Files.readString(file)).isEqualTo(first);

        // 3. a forced run counts the late trade, and the new file replaces the old one by a rename
        ReportResult forced = reports.run("daily_ohlcv", "2026-11-25", true);
        assertThat(forced.written()).isTrue();
        assertThat(Files.readString(file)).contains("IBM,50.0,50.0,50.0,50.0,2,50.0,1");
        assertThat(Files.readAttributes(file, BasicFileAttributes.class).fileKey()).isNotEqualTo(inode);
        assertThat(filesIn(reports("daily_ohlcv"))).containsExactly("2026-11-25.csv");
    }

    @Test
    void when_theReportSqlFails_then_noFileAndNoTempFileIsLeft() throws Exception {
        ReportRunner reports = runner(Map.of("broken", new ReportDef("broken",
                "SELECT * FROM quotes WHERE ts >= {{period_start}} AND ts < {{period_end}}", "hourly", "parquet"),
                "sneaky", new ReportDef("sneaky", "COPY (SELECT {{period_start}}, {{period_end}}) TO '" + lake
                        + "/x.csv'", "hourly", "csv")));

        assertThatThrownBy(() -> reports.run("broken", "2026-11-25T10"))
                .isInstanceOf(ReportException.class)
                .hasMessageStartingWith("report broken, period 2026-11-25T10: Catalog Error: Table with name quotes "
                        + "does not exist!")
                .extracting(e -> ((ReportException) e).kind()).isEqualTo(ReportException.Kind.QUERY_FAILED);
        assertThatThrownBy(() -> reports.run("sneaky", "2026-11-25T10"))
                .hasMessageContaining("only a single read-only query is allowed");

        assertThat(reports("broken")).doesNotExist();
        assertThat(reports("sneaky")).doesNotExist();
        assertThat(lake.resolve("x.csv")).doesNotExist();
    }

    @Test
    void filesAppearOnlyUnderTheirFinalName_andLeftoverTempFilesAreIgnored() throws Exception {
        ReportRunner reports = runner();
        Files.createDirectories(reports("hourly_parquet"));
        Files.writeString(reports("hourly_parquet").resolve(".2026-11-25.parquet.123.tmp"), "half a file");

        assertThat(reports.list().stream().filter(i -> i.name().equals("hourly_parquet")).findFirst().orElseThrow()
                .files()).isEmpty();
        reports.run("hourly_parquet", "2026-11-25");
        reports.run("hourly_json", "2026-11-25");

        assertThat(filesIn(reports("hourly_parquet")))
                .containsExactly(".2026-11-25.parquet.123.tmp", "2026-11-25.parquet");
        assertThat(filesIn(reports("hourly_json"))).containsExactly("2026-11-25.json");
    }

    @Test
    void explicitRuns_needTheBatchToCoverThePeriodEndPlusTheLateness() {
        ReportRunner reports = runner();

        coveredUntil = Long.MIN_VALUE;
        assertThatThrownBy(() -> reports.run("daily_ohlcv", "2026-11-25"))
                .isInstanceOf(ReportException.class)
                .hasMessage("report daily_ohlcv: period 2026-11-25 is not covered by the batch yet: it needs arrivals "
                        + "up to 2026-11-26T00:00:05Z (the period's end plus 5s of lateness), and the batch has not "
                        + "run yet");
        coveredUntil = t("2026-11-26T00:00:04.999Z");
        assertThatThrownBy(() -> reports.run("daily_ohlcv", "2026-11-25"))
                .hasMessageEndingWith("and the batch covers up to 2026-11-26T00:00:04.999Z")
                .extracting(e -> ((ReportException) e).kind()).isEqualTo(ReportException.Kind.NOT_COVERED);

        coveredUntil = t("2026-11-26T00:00:05Z");
        assertThat(reports.run("daily_ohlcv", "2026-11-25").written()).isTrue();
    }

    @Test
    void unknownReportsAndBadPeriods_areRefusedWithTheReason() {
        ReportRunner reports = runner(Map.of());

        assertThatThrownBy(() -> reports.run("weekly_ohlcv", "2026-W48"))
                .hasMessage("unknown report 'weekly_ohlcv' (reports: daily_ohlcv)")
                .extracting(e -> ((ReportException) e).kind()).isEqualTo(ReportException.Kind.UNKNOWN_REPORT);
        assertThatThrownBy(() -> reports.run("daily_ohlcv", "2026-11-31"))
                .hasMessageStartingWith("period: no such day: \"2026-11-31\"")
                .extracting(e -> ((ReportException) e).kind()).isEqualTo(ReportException.Kind.BAD_PERIOD);
    }

    @Test
    void runDue_runsEachPeriodOnceItIsDueAndCovered_thenGoesOnFromTheLastOneWritten() throws Exception {
        ReportRunner reports = runner(Map.of("monthly", new ReportDef("monthly",
                "SELECT count(*) AS n FROM trades WHERE ts >= {{period_start}} AND ts < {{period_end}}", "monthly",
                "json")));
        long lateness = 5_000;

        // 1. before the first batch nothing runs
        assertThat(reports.runDue(Long.MIN_VALUE, lateness, t("2026-11-27T00:00:00Z"))).isEmpty();

        // 2. the 25th is due at 00:05 on the 26th; the batch covers the 25th plus 5 s of lateness only at 00:00:05,
        //    so with 1 ms missing only the 24th (the latest day due and covered) is written
        List<ReportResult> first = reports.runDue(t("2026-11-26T00:00:04.999Z"), lateness, t("2026-11-26T00:05:00Z"));
        assertThat(first).extracting(ReportResult::report, ReportResult::period)
                .containsExactly(tuple("daily_ohlcv", "2026-11-24"),
                        tuple("monthly", "2026-10"));

        // 3. covered but not yet due: nothing new
        assertThat(reports.runDue(t("2026-11-26T01:00:00Z"), lateness, t("2026-11-26T00:04:59.999Z"))).isEmpty();

        // 4. due and covered: the 25th
        assertThat(reports.runDue(t("2026-11-26T00:00:05Z"), lateness, t("2026-11-26T00:05:00Z")))
                .extracting(ReportResult::period).containsExactly("2026-11-25");
        assertThat(reports.runDue(t("2026-11-26T00:00:05Z"), lateness, t("2026-11-26T00:05:00Z"))).isEmpty();

        // 5. after three days away every missed day is caught up, oldest first, and November is written
        assertThat(reports.runDue(t("2026-12-01T01:00:00Z"), lateness, t("2026-12-01T01:00:00Z")))
                .extracting(ReportResult::period)
                .containsExactly("2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30", "2026-11");
        assertThat(Files.readString(reports("monthly").resolve("2026-11.json"))).isEqualTo("[\n{\"n\":5}\n]\n");
    }

    @Test
    void aScheduledRunThatFails_isKeptAsTheReportsLastError_untilARunOfItSucceeds() {
        ReportRunner reports = runner(Map.of("quotes_daily", new ReportDef("quotes_daily",
                "SELECT count(*) AS n FROM quotes WHERE ts >= {{period_start}} AND ts < {{period_end}}",
                "daily at 00:05", "csv")));
        long now = t("2026-11-26T00:05:00Z");

        // 1. the table is missing: the other report is written, this one's failure is kept with its period
        assertThat(reports.runDue(t("2026-11-26T00:00:05Z"), 5_000, now)).extracting(ReportResult::report)
                .containsExactly("daily_ohlcv");
        ReportFailure failure = reports.failures().get("quotes_daily");
        assertThat(failure.period()).isEqualTo("2026-11-25");
        assertThat(failure.error()).startsWith("report quotes_daily, period 2026-11-25: Catalog Error: Table with "
                + "name quotes does not exist!");
        assertThat(failure.atMs()).isEqualTo(now);
        assertThat(reports.list()).filteredOn(i -> i.name().equals("quotes_daily")).singleElement()
                .extracting(ReportInfo::lastError).isEqualTo(failure);
        assertThat(reports.failures()).containsOnlyKeys("quotes_daily");

        // 2. once it can run, the next call writes it and the failure is gone
        sql.setTables(Map.of("trades", SqlService.lakeGlob(lake, "trades"), "quotes",
                SqlService.lakeGlob(lake, "trades")), Map.of());
        assertThat(reports.runDue(t("2026-11-26T00:00:05Z"), 5_000, now + 60_000))
                .extracting(ReportResult::report, ReportResult::period).containsExactly(tuple("quotes_daily",
                        "2026-11-25"));
        assertThat(reports.failures()).isEmpty();
        assertThat(reports.list()).extracting(ReportInfo::lastError).containsOnlyNulls();
    }

    @Test
    void list_tellsEachReportsScheduleFormatAndFiles() {
        ReportRunner reports = runner();
        reports.run("daily_ohlcv", "2026-11-26");
        reports.run("daily_ohlcv", "2026-11-24");
        reports.run("daily_ohlcv", "2026-11-25");

        ReportInfo daily = reports.list().get(0);
        assertThat(daily).isEqualTo(new ReportInfo("daily_ohlcv", "daily at 00:05", "csv", "2026-11-26",
                List.of("2026-11-24.csv", "2026-11-25.csv", "2026-11-26.csv"), null));
        assertThat(reports.list()).extracting(ReportInfo::name)
                .containsExactlyInAnyOrder("daily_ohlcv", "hourly_csv", "hourly_json", "hourly_parquet");
        assertThat(reports.list().get(1).lastPeriod()).isNull();
    }

    static List<String> filesIn(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
