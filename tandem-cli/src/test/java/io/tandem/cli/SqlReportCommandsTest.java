package io.tandem.cli;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.server.ServerOptions;
import io.tandem.server.TandemServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tandem sql} and {@code tandem report} against a real server on port 0. */
class SqlReportCommandsTest {

    static final String CONFIG = """
            streams:
              trades:
                time: ts
                fields: {symbol: string, price: double, qty: long}
            reports:
              daily_volume:
                schedule: daily at 00:05
                format: csv
                sql: >-
                  SELECT symbol, sum(qty) AS volume FROM trades
                  WHERE ts >= {{period_start}} AND ts < {{period_end}} GROUP BY symbol ORDER BY symbol
            """;

    @TempDir
    Path dir;
    Tandem tandem;
    TandemServer server;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void start() {
        // three trades arrive early on the 26th (two of the 25th); once that hour is sealed, a batch run covers them
        AtomicLong clock = new AtomicLong(Instant.parse("2026-11-26T00:10:00Z").toEpochMilli());
        TandemConfig config = ConfigLoader.parse(CONFIG, "test.yaml");
        tandem = Tandem.start(config, TandemOptions.defaults(dir.resolve("data")).withPartitions(1)
                .withClock(clock::get).withAutomaticBatchRuns(false));
        tandem.ingest("trades", ("{\"symbol\":\"AAPL\",\"price\":100.5,\"qty\":10,\"ts\":\"2026-11-25T10:00:00Z\"}\n"
                + "{\"symbol\":\"MSFT\",\"price\":300.0,\"qty\":1500,\"ts\":\"2026-11-25T11:00:00Z\"}\n"
                + "{\"symbol\":\"X,Y\",\"price\":null,\"qty\":null,\"ts\":\"2026-11-24T09:00:00Z\"}")
                .getBytes(StandardCharsets.UTF_8), null);
        tandem.awaitCaughtUp(Duration.ofSeconds(10));
        clock.set(Instant.parse("2026-11-26T01:00:05Z").toEpochMilli());
        assertThat(tandem.runBatch(false).join().status()).isEqualTo("published");
        server = TandemServer.start(tandem, ServerOptions.loopback(0));
    }

    @AfterEach
    void stop() {
        server.close();
        tandem.close();
    }

    int tandem(String... args) {
        CommandLine cli = Main.commandLine(InputStream.nullInputStream(), Map.of());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void sql_printsAnAlignedTable() {
        int code = tandem("sql", "--url", server.url(), "SELECT symbol, price, qty FROM trades ORDER BY symbol");

        assertThat(code).isZero();
        assertThat(out.toString()).startsWith("""
                symbol  price   qty
                ------  -----  ----
                AAPL    100.5    10
                MSFT    300.0  1500
                X,Y      NULL  NULL
                3 rows in\s""");
    }

    @Test
    void sql_printsCsvOrTheServersJson() {
        assertThat(tandem("sql", "--url", server.url(), "--format", "csv",
                "SELECT symbol, qty FROM trades ORDER BY symbol")).isZero();
        assertThat(out.toString()).isEqualTo("symbol,qty\r\nAAPL,10\r\nMSFT,1500\r\n\"X,Y\",\r\n");

        out.getBuffer().setLength(0);
        assertThat(tandem("sql", "--url", server.url(), "--format", "json", "SELECT 1 AS one")).isZero();
        assertThat(out.toString()).startsWith("{\"columns\":[\"one\"],\"types\":[\"INTEGER\"],\"rows\":[[1]],");
    }

    @Test
    void sql_refusedByTheServer_printsTheReasonAndFails() {
        int code = tandem("sql", "--url", server.url(), "SELECT * FROM read_text('/etc/passwd')");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).startsWith("error: read_text is refused here: ");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void sql_withNoServer_saysSo() {
        int code = tandem("sql", "--url", "http://127.0.0.1:1", "SELECT 1");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("cannot reach http://127.0.0.1:1");
    }

    @Test
    void reportRun_writesThePeriod_thenKeepsIt_andListShowsIt() {
        // the batch run already wrote the 25th when it became due; --force writes it again
        assertThat(tandem("report", "run", "daily_volume", "--period", "2026-11-25", "--force", "--url",
                server.url())).isZero();
        Path file = dir.resolve("data").resolve("reports").resolve("daily_volume").resolve("2026-11-25.csv");
        assertThat(out.toString()).startsWith("wrote " + file + " (2 rows, ");

        out.getBuffer().setLength(0);
        assertThat(tandem("report", "run", "daily_volume", "--period", "2026-11-25", "--url", server.url()))
                .isZero();
        assertThat(out.toString()).isEqualTo("kept " + file + " (already written; --force runs it again)\n");

        out.getBuffer().setLength(0);
        assertThat(tandem("report", "list", "--url", server.url())).isZero();
        assertThat(out.toString()).isEqualTo("daily_volume  daily at 00:05  csv  1 file, last period 2026-11-25\n");
    }

    @Test
    void reportRun_withABadPeriod_printsTheReasonAndFails() {
        int code = tandem("report", "run", "daily_volume", "--period", "2026-W48", "--url", server.url());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("error: period: expected a day like 2026-11-25 (the report runs daily "
                + "at 00:05), got \"2026-W48\"\n");
    }
}
