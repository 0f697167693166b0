package io.tandem.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tandem validate}, in process. */
class ValidateCommandTest {

    static final String MARKET = "../examples/market.yaml";

    @TempDir
    Path dir;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cli = Main.commandLine(InputStream.nullInputStream(), Map.of());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void theFileIsAnArgumentOrAnOption_andTheSummaryCountsEveryPart() {
        assertThat(run("validate", MARKET)).as(err.toString()).isZero();
        assertThat(out.toString()).isEqualTo(MARKET + ": ok (2 streams, 3 views, 2 alert rules, 1 report, 1 analysis,"
                + " 1 index)\n");

        assertThat(run("validate", "--config", MARKET)).isZero();
        assertThat(out.toString()).isEqualTo(MARKET + ": ok (2 streams, 3 views, 2 alert rules, 1 report, 1 analysis,"
                + " 1 index)\n");

        assertThat(run("validate")).isEqualTo(2);
        assertThat(err.toString()).startsWith("Missing the config file: tandem validate FILE");
        assertThat(run("validate", MARKET, "--config", MARKET)).isEqualTo(2);
        assertThat(err.toString()).startsWith("Give the config file once: FILE or --config");
    }

    @Test
    void aMissingFile_isNamedOnce() {
        String missing = dir.resolve("nofile.yaml").toString();

        assertThat(run("validate", missing)).isEqualTo(1);
        assertThat(err.toString()).isEqualTo(missing + ": no such file\n1 error\n");
    }

    @Test
    void reportSqlThatDoesNotBindToTheStreams_isAnErrorWithItsKeyPath() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                streams:
                  trades:
                    time: ts
                    fields: {symbol: string, qty: long}
                reports:
                  daily:
                    schedule: daily at 00:05
                    format: csv
                    sql: >-
                      SELECT symbol, sum(qtty) FROM trades
                      WHERE ts >= {{period_start}} AND ts < {{period_end}} GROUP BY symbol
                  weekly:
                    schedule: weekly
                    format: csv
                    sql: SELECT * FROM quotes WHERE ts >= {{period_start}} AND ts < {{period_end}}
                """);

        assertThat(run("validate", file.toString())).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).isEqualTo(file + ": reports.daily.sql: Binder Error: Referenced column \"qtty\" "
                + "not found in FROM clause! Candidate bindings: \"qty\", \"ts\", \"_partition\"\n"
                + file + ": reports.weekly.sql: Catalog Error: Table with name quotes does not exist! "
                + "(tables: trades)\n"
                + "2 errors\n");
    }
}
