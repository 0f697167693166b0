package io.tandem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code tandem search} against a real server on port 0. */
class SearchCommandTest {

    @TempDir
    Path dir;
    Tandem tandem;
    TandemServer server;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void start() {
        tandem = Tandem.start(ConfigLoader.parse("""
                streams:
                  news:
                    time: ts
                    fields: {headline: string, symbol: string, source: string}
                indexes:
                  headlines:
                    stream: news
                    fields: [headline, source]
                """, "test.yaml"), TandemOptions.defaults(dir).withPartitions(1));
        server = TandemServer.start(tandem, ServerOptions.loopback(0));
        tandem.ingest("news", """
                {"ts":"2026-11-26T10:00:00Z","headline":"ACME agrees merger","symbol":"ACME","source":"wire"}
                {"ts":"2026-11-26T11:00:00Z","headline":"Globex profit warning","symbol":"GLBX","source":"blog"}
                """.getBytes(StandardCharsets.UTF_8), null);
        await().atMost(Duration.ofSeconds(30)).until(() -> tandem.search().search("headlines", "*:*",
                Long.MIN_VALUE, Long.MAX_VALUE, 10).total() == 2);
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
    void when_aQueryMatches_then_theHitsArePrintedAsATable() {
        assertThat(tandem("search", "--url", server.url(), "headlines", "merger OR warning", "--to",
                "2026-11-26T10:30:00Z")).isZero();
        String[] lines = out.toString().split("\n");
        assertThat(lines[0]).matches("score +headline +symbol +source +ts");
        assertThat(lines[2]).matches(" *[0-9.]+ +ACME agrees merger +ACME +wire +2026-11-26T10:00:00Z");
        assertThat(lines[3]).isEqualTo("1 of 1 hit");
        assertThat(lines).hasSize(4);
    }

    @Test
    void when_jsonIsAskedFor_then_theServersAnswerIsPrinted() throws Exception {
        assertThat(tandem("search", "--url", server.url(), "--format", "json", "headlines", "source:blog")).isZero();
        var answer = new ObjectMapper().readTree(out.toString());
        assertThat(answer.path("total").asLong()).isEqualTo(1);
        assertThat(answer.path("hits").get(0).path("fields").path("headline").asText())
                .isEqualTo("Globex profit warning");
    }

    @Test
    void when_theServerAnswers4xx_then_itsMessageIsPrintedAndTheExitIsOne() {
        assertThat(tandem("search", "--url", server.url(), "headlines", "headline:(merger")).isEqualTo(1);
        assertThat(err.toString()).startsWith("error: q: Cannot parse 'headline:(merger'");
        err.getBuffer().setLength(0);
        assertThat(tandem("search", "--url", server.url(), "nope", "x")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("error: index: unknown index 'nope' (indexes: headlines)\n");
        assertThat(out.toString()).isEmpty();
    }
}
