package io.tandem.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /v1/sql} and {@code /v1/reports} on port 0 with a real client. */
class SqlReportRoutesTest {

    static final String CONFIG = HttpApiTest.CONFIG + """
            reports:
              daily_volume:
                schedule: daily at 00:05
                format: csv
                sql: >-
                  SELECT symbol, sum(qty) AS volume FROM trades
                  WHERE ts >= {{period_start}} AND ts < {{period_end}} GROUP BY symbol ORDER BY symbol
            """;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path lake;
    Tandem tandem;
    TandemServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        // two trades of the 25th arrive early on the 26th; once that hour is sealed, a batch run covers them
        AtomicLong clock = new AtomicLong(Instant.parse("2026-11-26T00:10:00Z").toEpochMilli());
        TandemConfig config = ConfigLoader.parse(CONFIG, "test.yaml");
        tandem = Tandem.start(config, TandemOptions.defaults(dir).withPartitions(1).withClock(clock::get)
                .withAutomaticBatchRuns(false));
        lake = dir.resolve("lake");
        tandem.ingest("trades", ("{\"symbol\":\"AAPL\",\"price\":100.0,\"qty\":10,\"ts\":\"2026-11-25T10:00:00Z\"}\n"
                + "{\"symbol\":\"MSFT\",\"price\":300.0,\"qty\":5,\"ts\":\"2026-11-25T11:00:00Z\"}")
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

    HttpResponse<String> post(String path, String contentType, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void sqlAsPlainText_answersColumnsAndRows() throws Exception {
        HttpResponse<String> r = post("/v1/sql", "text/plain",
                "SELECT symbol, qty, ts FROM trades ORDER BY symbol");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("columns").toString()).isEqualTo("[\"symbol\",\"qty\",\"ts\"]");
        assertThat(body.get("rows").toString())
                .isEqualTo("[[\"AAPL\",10,\"2026-11-25T10:00:00Z\"],[\"MSFT\",5,\"2026-11-25T11:00:00Z\"]]");
        assertThat(body.get("truncated").asBoolean()).isFalse();
        assertThat(body.get("elapsed_ms").isIntegralNumber()).isTrue();
    }

    @Test
    void when_anSqlBodyDripsSlowerThanTheServerWaitsFor_then_408WithTheJsonError_not500() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/sql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: 1000\r\n\r\nSELECT").getBytes(StandardCharsets.US_ASCII));
            // a byte every half second, far below the server's minimum rate, until it answers
            Thread drip = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Thread.sleep(500);
                        out.write(' ');
                    }
                } catch (IOException | InterruptedException answered) {
                    // the server has answered and closed, or the test is over
                }
            });
            drip.start();
            String answer;
            try {
                answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                drip.interrupt();
            }

            assertThat(answer).startsWith("HTTP/1.1 408 ").containsIgnoringCase("Content-Type: application/json")
                    .endsWith("{\"error\":{\"code\":\"request_timeout\",\"message\":\"the request body came "
                            + "slower than 4096 bytes/s or stopped for 30 s; nothing was taken\"}}");
        }
        assertThat(post("/v1/sql", "text/plain", "SELECT 1 AS one").statusCode()).isEqualTo(200);
    }

    @Test
    void sqlAsJson_orWithNoContentType_isReadToo() throws Exception {
        assertThat(json(post("/v1/sql", "application/json", "{\"sql\": \"SELECT count(*) AS n FROM trades\"}"))
                .get("rows").toString()).isEqualTo("[[2]]");
        assertThat(post("/v1/sql", null, "SELECT 1").statusCode()).isEqualTo(200);
    }

    @Test
    void nonFiniteDoubles_areJsonNull() throws Exception {
        HttpResponse<String> r = post("/v1/sql", "text/plain",
                "SELECT 'inf'::DOUBLE AS a, '-inf'::DOUBLE AS b, 'nan'::DOUBLE AS c, 1.5::DOUBLE AS d");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("rows").toString()).isEqualTo("[[null,null,null,1.5]]");
    }

    @Test
    void readingEtcPasswdWritingFilesAndChangingSettings_areA400WithTheReason() throws Exception {
        HttpResponse<String> passwd = post("/v1/sql", "text/plain", "SELECT * FROM read_csv('/etc/passwd')");
        HttpResponse<String> copy = post("/v1/sql", "text/plain", "COPY (SELECT 1) TO '" + lake + "/x.csv'");
        HttpResponse<String> set = post("/v1/sql", "text/plain", "SET enable_external_access = true");

        assertThat(passwd.statusCode()).isEqualTo(400);
        assertThat(json(passwd).get("error").get("message").asText())
                .startsWith("read_csv is refused here: the SQL reads the lake "
                + "and the batch views as Parquet");
        HttpResponse<String> outside = post("/v1/sql", "text/plain", "SELECT * FROM read_parquet('/etc/x.parquet')");
        assertThat(outside.statusCode()).isEqualTo(400);
        assertThat(json(outside).get("error").get("message").asText())
                .startsWith("file access outside the lake is refused: Permission Error: Cannot access file "
                        + "\"/etc/x.parquet\"");
        assertThat(copy.statusCode()).isEqualTo(400);
        assertThat(json(copy).get("error").get("message").asText()).endsWith("; COPY is refused");
        assertThat(lake.resolve("x.csv")).doesNotExist();
        assertThat(set.statusCode()).isEqualTo(400);
        assertThat(json(set).get("error").get("message").asText()).endsWith("; SET is refused");
    }

    @Test
    void badBodies_areRefusedWithTheReason() throws Exception {
        HttpResponse<String> noSql = post("/v1/sql", "application/json", "{\"query\": \"SELECT 1\"}");
        HttpResponse<String> xml = post("/v1/sql", "application/xml", "<sql/>");

        assertThat(noSql.statusCode()).isEqualTo(400);
        assertThat(json(noSql).get("error").get("message").asText())
                .isEqualTo("body: expected {\"sql\": \"SELECT ...\"}");
        assertThat(xml.statusCode()).isEqualTo(415);
    }

    @Test
    void reports_areWrittenOnceDue_keptWhenRunAgain_andRewrittenWhenForced() throws Exception {
        // 1. the batch run that covered the 25th made its report due: it is already written
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/reports"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(list.body()).isEqualTo("{\"reports\":[{\"name\":\"daily_volume\",\"schedule\":\"daily at 00:05\","
                + "\"format\":\"csv\",\"last_period\":\"2026-11-25\",\"files\":[\"2026-11-25.csv\"],"
                + "\"last_error\":null}]}");

        // 2. run again: the file is kept
        JsonNode again = json(post("/v1/reports/daily_volume/run?period=2026-11-25", null, ""));
        assertThat(again.get("written").asBoolean()).isFalse();

        // 3. forced: it is written again, with the same rows
        HttpResponse<String> forced = post("/v1/reports/daily_volume/run?period=2026-11-25&force=true", null, "");
        assertThat(forced.statusCode()).isEqualTo(200);
        JsonNode result = json(forced);
        assertThat(result.get("written").asBoolean()).isTrue();
        assertThat(result.get("rows").asLong()).isEqualTo(2);
        assertThat(Files.readString(Path.of(result.get("file").asText())))
                .isEqualTo("symbol,volume\r\nAAPL,10\r\nMSFT,5\r\n");
    }

    @Test
    void aReportThatFailsWhenItRuns_showsItsLastErrorInTheListAndOnTheOverview() throws Exception {
        // the SQL binds (a VARCHAR may be cast to INTEGER), so only running it over 'AAPL' fails
        String config = HttpApiTest.CONFIG + """
                reports:
                  symbols_as_numbers:
                    schedule: daily at 00:05
                    format: csv
                    sql: >-
                      SELECT CAST(symbol AS INTEGER) AS n FROM trades
                      WHERE ts >= {{period_start}} AND ts < {{period_end}}
                """;
        AtomicLong clock = new AtomicLong(Instant.parse("2026-11-26T00:10:00Z").toEpochMilli());
        try (Tandem failing = Tandem.start(ConfigLoader.parse(config, "failing.yaml"),
                TandemOptions.defaults(dir.resolve("failing")).withPartitions(1).withClock(clock::get));
             TandemServer other = TandemServer.start(failing, ServerOptions.loopback(0))) {
            failing.ingest("trades", "{\"symbol\":\"AAPL\",\"price\":1.0,\"qty\":1,\"ts\":\"2026-11-25T10:00:00Z\"}"
                    .getBytes(StandardCharsets.UTF_8), null);
            failing.awaitCaughtUp(Duration.ofSeconds(10));
            clock.set(Instant.parse("2026-11-26T01:00:05Z").toEpochMilli());
            assertThat(failing.runBatch(false).join().status()).isEqualTo("published");

            JsonNode report = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(other.url() + "/v1/reports"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).path("reports").get(0);
            assertThat(report.path("files")).isEmpty();
            assertThat(report.path("last_error").path("period").asText()).isEqualTo("2026-11-25");
            assertThat(report.path("last_error").path("error").asText())
                    .startsWith("report symbols_as_numbers, period 2026-11-25: ");
            assertThat(report.path("last_error").path("at").asText()).isEqualTo("2026-11-26T01:00:05Z");

            JsonNode overview = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(other.url()
                    + "/v1/status")).build(), HttpResponse.BodyHandlers.ofString()).body()).path("overview");
            assertThat(overview.path("reports").path("configured").asInt()).isEqualTo(1);
            assertThat(overview.path("reports").path("failing")).singleElement().satisfies(f -> {
                assertThat(f.path("name").asText()).isEqualTo("symbols_as_numbers");
                assertThat(f.path("error").asText()).isEqualTo(report.path("last_error").path("error").asText());
            });
        }
        JsonNode healthy = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/status"))
                .build(), HttpResponse.BodyHandlers.ofString()).body()).path("overview").path("reports");
        assertThat(healthy.path("failing")).isEmpty();
    }

    @Test
    void reportMistakes_getTheirStatus() throws Exception {
        HttpResponse<String> unknown = post("/v1/reports/weekly/run?period=2026-W48", null, "");
        HttpResponse<String> badPeriod = post("/v1/reports/daily_volume/run?period=2026-11", null, "");
        HttpResponse<String> noPeriod = post("/v1/reports/daily_volume/run", null, "");
        HttpResponse<String> notCovered = post("/v1/reports/daily_volume/run?period=2026-11-26", null, "");

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("error").get("message").asText())
                .isEqualTo("unknown report 'weekly' (reports: daily_volume)");
        assertThat(badPeriod.statusCode()).isEqualTo(400);
        assertThat(json(badPeriod).get("error").get("message").asText())
                .isEqualTo("period: expected a day like 2026-11-25 (the "
                + "report runs daily at 00:05), got \"2026-11\"");
        assertThat(noPeriod.statusCode()).isEqualTo(400);
        assertThat(notCovered.statusCode()).isEqualTo(409);
        assertThat(json(notCovered).get("error").get("message").asText()).contains("is not covered by the batch yet");
    }
}
