package io.tandem.engine.sql;

import io.tandem.core.DuckDbDef;
import io.tandem.engine.duckdb.DuckDb;
import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;
import io.tandem.core.UnknownFields;
import io.tandem.engine.lake.ParquetLake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Read-only SQL over a lake-like folder: what works, and how every way out of the sandbox is refused. */
class SqlServiceTest {

    @TempDir
    Path dir;
    Path lake;
    Path views;
    SqlService sql;

    @BeforeEach
    void openSandboxOverTwoEpochsAndOneBatchView() throws Exception {
        lake = dir.resolve("lake");
        views = dir.resolve("views");
        LakeFixture.trades(lake, 1, "'AAPL', 100.0, 10, '2026-11-25 10:00:00'",
                "'MSFT', 300.0, 5, '2026-11-25 10:00:30'");
        LakeFixture.trades(lake, 2, "'AAPL', 102.0, 30, '2026-11-25 10:01:00.25'");
        LakeFixture.write(views.resolve("trades_1m").resolve("v1.parquet"), "SELECT TIMESTAMP '2026-11-25 10:00:00' "
                + "AS bucket, 'AAPL' AS symbol, 2::BIGINT AS trades");
        sql = new SqlService(lake, views, new DuckDb(DuckDbDef.defaults(), dir.resolve("tmp")), Duration.ofSeconds(10),
                100);
        sql.setTables(Map.of("trades", SqlService.lakeGlob(lake, "trades"),
                "quotes", SqlService.lakeGlob(lake, "quotes"),
                "trades_1m", views.resolve("trades_1m").resolve("v1.parquet").toString()), Map.of());
    }

    @AfterEach
    void close() {
        sql.close();
    }

    // ---- what works -------------------------------------------------------------------------------------------

    @Test
    void when_aStreamIsQueried_then_everyEpochIsOneTable() {
        SqlResult r = sql.query("SELECT symbol, sum(qty) AS volume, min(ts) AS first FROM trades "
                + "GROUP BY symbol ORDER BY symbol");

        assertThat(r.columns()).containsExactly("symbol", "volume", "first");
        assertThat(r.types()).containsExactly("VARCHAR", "HUGEINT", "TIMESTAMP");
        assertThat(r.rows()).containsExactly(
                List.of("AAPL", BigInteger.valueOf(40), "2026-11-25T10:00:00Z"),
                List.of("MSFT", BigInteger.valueOf(5), "2026-11-25T10:00:30Z"));
        assertThat(r.truncated()).isFalse();
    }

    @Test
    void lakeTables_carryTheSystemColumns() {
        SqlResult r = sql.query("SELECT _epoch, _partition, _offset, _arrival FROM trades "
                + "WHERE ts = TIMESTAMP '2026-11-25 10:01:00.25'");

        assertThat(r.rows()).containsExactly(List.of(2L, 0L, 0L, "2026-11-25T10:01:01.250Z"));
    }

    @Test
    void aDeclaredFieldNamedEpoch_isNotReplacedByTheFolderName() throws Exception {
        LakeFixture.write(lake.resolve("ticks").resolve("epoch=7").resolve("part-0.parquet"),
                "SELECT 42::BIGINT AS epoch, 7::BIGINT AS _epoch");
        sql.setTables(Map.of("ticks", SqlService.lakeGlob(lake, "ticks")), Map.of());

        assertThat(sql.query("SELECT epoch, _epoch FROM ticks").rows()).containsExactly(List.of(42L, 7L));
    }

    @Test
    void batchViews_areTables_andQueryShapesThatOnlyRead_areAllowed() {
        assertThat(sql.query("FROM trades_1m").rows()).containsExactly(List.of("2026-11-25T10:00:00Z", "AAPL", 2L));
        assertThat(sql.query("-- a comment first\nWITH t AS (SELECT count(*) AS n FROM trades) SELECT n FROM t; ")
                .rows()).containsExactly(List.of(3L));
        assertThat(sql.query("/* x */ (SELECT 1 AS a) UNION ALL (SELECT 2)").rows()).hasSize(2);
        assertThat(sql.query("VALUES (1, 'a')").rows()).containsExactly(List.of(1L, "a"));
        assertThat(sql.query("DESCRIBE trades").columns()).contains("column_name", "column_type");
        assertThat(sql.query("SUMMARIZE trades").rows()).isNotEmpty();
        assertThat(sql.query("SELECT count(*) FROM read_parquet('" + lake + "/trades/epoch=1/*.parquet')").rows())
                .containsExactly(List.of(2L));
    }

    @Test
    void newEpochFiles_showUpWithoutSettingTheTablesAgain() throws Exception {
        LakeFixture.trades(lake, 3, "'IBM', 1.0, 1, '2026-11-25 11:00:00'");

        assertThat(sql.query("SELECT count(*) FROM trades").rows()).containsExactly(List.of(4L));
    }

    @Test
    void values_areJsonFriendly() {
        SqlResult r = sql.query("SELECT TIMESTAMP '1969-12-31 23:59:59.5' AS t, "
                + "TIMESTAMPTZ '2026-11-25 10:00:00+02' AS tz, DATE '2026-11-25' AS d, 1.25::DECIMAL(10,2) AS dec, "
                + "12345678901234567890::HUGEINT AS h, 1.5::FLOAT AS f, 2.5::DOUBLE AS x, true AS b, NULL AS n, "
                + "[1, 2] AS l, {'a': 1, 'ts': [TIMESTAMP '2026-11-25 10:00:00']} AS s, MAP {'k': 7} AS m, "
                + "'ab'::BLOB AS bl, 3::TINYINT AS ti");

        assertThat(r.rows().get(0)).containsExactly("1969-12-31T23:59:59.500Z", "2026-11-25T08:00:00Z", "2026-11-25",
                new BigDecimal("1.25"), new BigInteger("12345678901234567890"), 1.5, 2.5, true, null, List.of(1L, 2L),
                Map.of("a", 1L, "ts", List.of("2026-11-25T10:00:00Z")), Map.of("k", 7L), "YWI=", 3L);
    }

    @Test
    void settings_areInForceAsTheSandboxSays_andQueriesCannotShowThem() throws Exception {
        assertThat(sql.setting("enable_external_access")).isEqualTo("false");
        assertThat(sql.setting("lock_configuration")).isEqualTo("true");
        for (String query : List.of("SELECT current_setting('allowed_directories')",
                "SELECT * FROM duckdb_settings()", "SELECT path FROM duckdb_temporary_files()")) {
            assertThatThrownBy(() -> sql.query(query)).as(query).isInstanceOf(SqlException.class)
                    .hasMessageContaining("is refused here").hasMessageContaining("shows no settings");
        }
    }

    @Test
    void filesInTheLakeThatAreNotParquet_cannotBeRead_andASymbolicLinkStopsTheSql() throws Exception {
        Files.writeString(views.resolve("runs.jsonl"), "{\"secret\": 1}\n");
        for (String reader : List.of("read_text", "read_blob", "read_csv", "read_json", "glob")) {
            String query = "SELECT * FROM " + reader + "('" + views.resolve("runs.jsonl") + "')";
            assertThatThrownBy(() -> sql.query(query)).as(query).isInstanceOf(SqlException.class)
                    .hasMessageStartingWith(reader + " is refused here");
        }

        Path link = lake.resolve("etc_link");
        Files.createSymbolicLink(link, Path.of("/etc"));
        SqlService fresh = new SqlService(lake, views, new DuckDb(DuckDbDef.defaults(), dir.resolve("tmp2")),
                Duration.ofSeconds(10), 100);
        try {
            assertThatThrownBy(() -> fresh.query("SELECT count(*) FROM read_parquet('" + lake + "/etc_lin?/*')"))
                    .isInstanceOf(SqlException.class).hasMessageContaining("symbolic link")
                    .hasMessageContaining(link.toString());
            assertThatThrownBy(() -> fresh.query("SELECT count(*) FROM trades"))
                    .hasMessageContaining("symbolic link");
        } finally {
            fresh.close();
            Files.delete(link);
        }
    }

    @Test
    void sqlGivenAsAStringAndFilesNamedAsTables_areRefusedLikeTheReadersTheyWouldCall() throws Exception {
        Path runs = views.resolve("runs.jsonl");
        Files.writeString(runs, "{\"secret\": 1}\n");
        // 1. query() and query_table() run a string the parse cannot look into: read_text, settings
        for (String query : List.of("SELECT * FROM query('SELECT content FROM read_text(''" + runs + "'')')",
                "SELECT * FROM query('SELECT current_setting(''allowed_directories'')')",
                "SELECT * FROM query_table('trades')")) {
            assertThatThrownBy(() -> sql.query(query)).as(query).isInstanceOf(SqlException.class)
                    .hasMessageEndingWith(" is refused here: it runs SQL given as a string, which the sandbox cannot "
                            + "check; write that SQL in the query itself");
        }
        // 2. a file where a table goes is read by the reader its name suggests: only Parquet is
        for (String file : List.of(runs.toString(), views + "/*.jsonl", lake + "/trades/epoch=1/part-0.parquet.csv")) {
            assertThatThrownBy(() -> sql.query("SELECT * FROM '" + file + "' AS r")).as(file)
                    .isInstanceOf(SqlException.class)
                    .hasMessage("FROM '" + file + "' is refused here: the SQL reads the lake and the batch views as "
                            + "Parquet (their tables, or read_parquet over their files)");
        }
        assertThat(sql.query("SELECT count(*) FROM '" + lake + "/trades/*/*.parquet'").rows())
                .containsExactly(List.of(3L));
    }

    // ---- limits -----------------------------------------------------------------------------------------------

    @Test
    void when_aQueryHasMoreRowsThanTheLimit_then_theFirstOnesComeBackMarkedTruncated() {
        SqlResult r = sql.query("SELECT * FROM range(1000000000000)");

        assertThat(r.rows()).hasSize(100);
        assertThat(r.rows().get(99)).containsExactly(99L);
        assertThat(r.truncated()).isTrue();
        assertThat(sql.query("SELECT * FROM range(100)").truncated()).isFalse();
        assertThat(sql.query("SELECT * FROM range(101)", Duration.ofSeconds(10), Long.MAX_VALUE).rows()).hasSize(101);
    }

    @Test
    void when_aQueryRunsPastTheTimeLimit_then_itIsCancelledAndTheSandboxGoesOn() {
        assertThatThrownBy(() -> sql.query("SELECT count(*) FROM range(1000000000) a, range(1000000) b",
                Duration.ofMillis(300), 10))
                .isInstanceOf(SqlException.class)
                .hasMessageStartingWith("query cancelled: it ran past the time limit of 300 ms");

        assertThat(sql.query("SELECT count(*) FROM trades").rows()).containsExactly(List.of(3L));
    }

    @Test
    void aConstantExpressionThatDuckDbFoldsWhilePreparing_countsInTheTimeLimitToo() {
        // 1 GB of 'x', built while DuckDB prepares the statement (about 6 s here), before any execution starts
        assertThatThrownBy(() -> sql.query("SELECT length(repeat('x', 1000000000)) AS n", Duration.ofMillis(500), 10))
                .isInstanceOf(SqlException.class)
                .hasMessageStartingWith("query cancelled: it ran past the time limit of 500 ms");
        assertThat(sql.query("SELECT 1 AS one").rows()).containsExactly(List.of(1L));
    }

    @Test
    void parenthesesLeftOpenDeeperThanTheBound_areRefusedBeforeDuckDbParsesThem() {
        // 3,000 open parentheses take DuckDB's parser 1.5 GB outside its memory limit, 50,000 more than a machine has
        String deep = "SELECT " + "(".repeat(3_000) + "1";

        assertThatThrownBy(() -> sql.query(deep)).isInstanceOf(SqlException.class)
                .hasMessage("parentheses nested deeper than 250 (at character 258) are refused; write the query "
                        + "with fewer levels");
        assertThatThrownBy(() -> sql.check(deep)).hasMessageStartingWith("parentheses nested deeper than 250");
        String atTheBound = "SELECT " + "(".repeat(SqlService.MAX_NESTING) + "1" + ")".repeat(SqlService.MAX_NESTING)
                + " AS one, '" + "(".repeat(1_000) + "' AS text /* ((( */";
        assertThat(sql.query(atTheBound).rows().get(0)).containsExactly(1L, "(".repeat(1_000));
    }

    @Test
    void aQueryBeyondTheOnesRunningAtOnce_isRefusedAsBusy_andTakenAgainOnceOneEnds() throws Exception {
        List<java.util.concurrent.CompletableFuture<SqlResult>> slow = new java.util.ArrayList<>();
        for (int i = 0; i < SqlService.MAX_CONCURRENT; i++) {
            slow.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> sql.query(
                    "SELECT count(*) FROM range(1000000000) a, range(1000000) b", Duration.ofSeconds(3), 10)));
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThatThrownBy(() -> sql.query("SELECT 1 AS one"))
                        .isInstanceOfSatisfying(SqlException.class, e -> assertThat(e.busy()).isTrue())
                        .hasMessageContaining(SqlService.MAX_CONCURRENT + " queries are running"));
        for (var f : slow) {
            assertThatThrownBy(f::join).hasCauseInstanceOf(SqlException.class);
        }
        assertThat(sql.query("SELECT 1 AS one").rows()).containsExactly(List.of(1L));
    }

    // ---- refused ----------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "COPY (SELECT 1) TO 'LAKE/x.csv'",
            "  /* hidden */ -- and\n copy (select 1) to 'LAKE/x.csv'",
            "COPY trades TO 'LAKE/x.parquet' (FORMAT parquet)",
            "EXPORT DATABASE 'LAKE/x'",
            "ATTACH 'LAKE/x.db' AS x",
            "INSTALL httpfs",
            "LOAD httpfs",
            "SET threads = 1",
            "SET enable_external_access = true",
            "RESET lock_configuration",
            "PRAGMA threads = 1",
            "CREATE TABLE t AS SELECT 1",
            "CREATE OR REPLACE VIEW trades AS SELECT 1",
            "DROP VIEW trades",
            "CALL pragma_version()",
            "CHECKPOINT",
            "EXPLAIN SELECT 1",
    })
    void statementsThatAreNotQueries_areRefused_andChangeNothing(String statement) throws Exception {
        String text = statement.replace("LAKE", lake.toString());
        String word = SqlService.firstWord(text);

        assertThatThrownBy(() -> sql.query(text))
                .isInstanceOf(SqlException.class)
                .hasMessage("only a single read-only query is allowed (SELECT, WITH, FROM, VALUES, DESCRIBE or "
                        + "SUMMARIZE); " + word + " is refused");

        assertThat(lake.resolve("x.csv")).doesNotExist();
        assertThat(lake.resolve("x.parquet")).doesNotExist();
        assertThat(lake.resolve("x")).doesNotExist();
        assertThat(lake.resolve("x.db")).doesNotExist();
        assertThat(sql.query("SELECT count(*) FROM trades").rows()).containsExactly(List.of(3L));
        assertThat(sql.setting("threads")).isNotEqualTo("1");
    }

    @Test
    void aQueryFollowedByAnotherStatement_isRefusedWhole() {
        assertThatThrownBy(() -> sql.query("SELECT 1; DROP VIEW trades"))
                .hasMessage("only a single read-only query is allowed (SELECT, WITH, FROM, VALUES, DESCRIBE or "
                        + "SUMMARIZE); the text holds a statement that is not a query");
        assertThatThrownBy(() -> sql.query("SELECT 1 /* ; */; COPY (SELECT 1) TO '" + lake + "/x.csv'"))
                .hasMessageContaining("the text holds a statement that is not a query");
        assertThatThrownBy(() -> sql.query("SELECT 1; SELECT 2"))
                .hasMessage("expected one statement, got 2; send one query at a time");

        assertThat(lake.resolve("x.csv")).doesNotExist();
        assertThat(sql.query("SELECT count(*) FROM trades").rows()).containsExactly(List.of(3L));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT * FROM read_csv('/etc/passwd')",
            "SELECT * FROM read_text('/etc/passwd')",
            "SELECT * FROM read_blob('/etc/passwd')",
            "SELECT * FROM read_csv('LAKE/../../../../../../etc/passwd')",
            "SELECT * FROM glob('/etc/*')",
            "SELECT * FROM read_json('/proc/self/environ')",
            "SELECT length(read_text('/etc/passwd')) FROM trades",
    })
    void readersOfOtherFormats_areRefusedWherever(String query) {
        String text = query.replace("LAKE", lake.toString());

        assertThatThrownBy(() -> sql.query(text))
                .isInstanceOf(SqlException.class)
                .hasMessageContaining(" is refused here: the SQL reads the lake and the batch views as Parquet");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT * FROM read_parquet('/tmp/x.parquet')",
            "SELECT * FROM read_parquet('OUTSIDE')",
            "SELECT * FROM read_parquet('LAKE/../outside.parquet')",
    })
    void filesOutsideTheLake_areRefused(String query) throws Exception {
        Path outside = dir.resolve("outside.parquet");
        LakeFixture.write(outside, "SELECT 'secret' AS s");
        String text = query.replace("OUTSIDE", outside.toString()).replace("LAKE", lake.toString());

        assertThatThrownBy(() -> sql.query(text))
                .isInstanceOf(SqlException.class)
                .hasMessageStartingWith("file access outside the lake is refused: Permission Error: Cannot access ")
                .hasMessageEndingWith("(read the tables trades, trades_1m, or Parquet files under " + lake + "/)");
    }

    @Test
    void aQueryThatHidesAWriteInsideAFunction_isRefused() {
        assertThatThrownBy(() -> sql.query("SELECT * FROM query('COPY (SELECT 1) TO ''" + lake + "/x.csv''')"))
                .isInstanceOf(SqlException.class)
                .hasMessageStartingWith("query is refused here: it runs SQL given as a string");
        assertThat(lake.resolve("x.csv")).doesNotExist();
    }

    @Test
    void mistakes_getClearMessages() {
        assertThatThrownBy(() -> sql.query(" ")).hasMessage("empty query: send one SELECT, WITH, FROM, VALUES, "
                + "DESCRIBE or SUMMARIZE statement");
        assertThatThrownBy(() -> sql.query("-- nothing")).hasMessageStartingWith("empty query");
        assertThatThrownBy(() -> sql.query("SELEC 1")).hasMessage("syntax error at or near \"SELEC\" (at character 1)");
        assertThatThrownBy(() -> sql.query("SELECT * FROM trade"))
                .hasMessageStartingWith("Catalog Error: Table with name trade does not exist!")
                .hasMessageEndingWith("(tables: trades, trades_1m)");
        assertThatThrownBy(() -> sql.query("SELECT * FROM quotes"))
                .hasMessage("table quotes has no data yet: no Parquet file matches " + lake + "/quotes/*/*.parquet");
        assertThatThrownBy(() -> sql.query("SELECT nope FROM trades")).hasMessageContaining("nope");
    }

    @Test
    void tables_mustBeUnderTheLakeOrTheBatchViews() {
        assertThatThrownBy(() -> sql.setTables(Map.of("etc", "/etc/*.parquet"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("table etc: /etc/*.parquet is outside the lake");
        assertThatThrownBy(() -> sql.setTables(Map.of("bad name", lake + "/x/*/*.parquet"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("table name: expected [A-Za-z_][A-Za-z0-9_]*, got \"bad name\"");
    }

    @Test
    void setTables_dropsTheTablesNoLongerListed() throws Exception {
        sql.setTables(Map.of("trades", SqlService.lakeGlob(lake, "trades")), Map.of());

        assertThat(sql.tables()).containsOnlyKeys("trades");
        assertThatThrownBy(() -> sql.query("FROM trades_1m")).hasMessageContaining("(tables: trades)");
        assertThat(Files.exists(views.resolve("trades_1m").resolve("v1.parquet"))).isTrue();
    }

    @Test
    void aStreamWithNoFileYet_isAnEmptyTableWithTheLakesColumns() {
        StreamDef stream = new StreamDef("ticks", "ts", 5_000, List.of(new FieldDef("symbol", FieldType.STRING),
                new FieldDef("qty", FieldType.LONG)), UnknownFields.IGNORE);
        sql.setTables(Map.of("ticks", SqlService.lakeGlob(lake, "ticks")),
                Map.of("ticks", ParquetLake.emptySelect(stream)));

        SqlResult r = sql.query("SELECT * FROM ticks");

        assertThat(r.rows()).isEmpty();
        assertThat(r.columns()).containsExactly("symbol", "qty", "ts", "_arrival", "_epoch", "_partition", "_offset");
        assertThat(sql.query("SELECT count(*) AS n FROM ticks").rows()).containsExactly(List.of(0L));
    }
}
