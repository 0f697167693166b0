package io.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tandem plan}, in process, on the bundled example and on a contradiction. */
class PlanCommandTest {

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
    void json_hasOneRowPerWorkloadWithItsPathAndRule() throws Exception {
        assertThat(run("plan", "--config", ValidateCommandTest.MARKET, "--format", "json")).as(err.toString())
                .isZero();

        JsonNode plan = new ObjectMapper().readTree(out.toString());
        List<String> rows = new ArrayList<>();
        plan.get("workloads").forEach(w -> {
            assertThat(w.has("needs")).isTrue();
            rows.add(w.get("kind").asText() + " " + w.get("name").asText() + " " + w.get("path").asText() + " | "
                    + w.get("rule").asText());
        });
        assertThat(rows).contains(
                "view trades_1m hot+cold | hot+cold: user waiting",
                "view traders_1h cold | cold: no user waiting, volume 1000000/day > 10K, staleness 1h > 1m,"
                        + " complex aggregations",
                "alert price_jump hot | hot: trigger",
                "report daily_ohlcv cold | cold: a report reads the lake (volume auto not observed yet)");
    }

    @Test
    void table_isAlignedWithAHeader() {
        assertThat(run("plan", "--config", ValidateCommandTest.MARKET)).isZero();

        String[] lines = out.toString().split("\n");
        assertThat(lines[0]).startsWith("NAME").contains("KIND", "PATH", "NEEDS", "RULE");
        int ruleColumn = lines[0].indexOf("RULE");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("traders_1h").contains(" cold ")
                .satisfies(x -> assertThat(x.indexOf("cold: no user waiting")).isEqualTo(ruleColumn)));
    }

    @Test
    void contradiction_isAnErrorNamingTheWorkloadTheNeedAndTheRule() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, """
                streams:
                  s: {time: ts, fields: {x: long}}
                reports:
                  r:
                    sql: "SELECT 1 WHERE '{{period_start}}' < '{{period_end}}'"
                    schedule: hourly
                    format: csv
                    needs: {freshness: 1s}
                """);

        assertThat(run("plan", "--config", config.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo(config + ": reports.r.needs.freshness: freshness 1s < 5s asks for the"
                + " hot path, but a report runs on the cold path only\n");
        assertThat(run("validate", config.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("reports.r.needs.freshness: freshness 1s < 5s asks for the hot path");
    }
}
