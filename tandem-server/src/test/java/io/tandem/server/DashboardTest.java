package io.tandem.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard's files and the JSON it reads: the page, uPlot from its WebJar, the views and the overview. */
class DashboardTest {

    @TempDir
    Path dir;
    Tandem tandem;
    TandemServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        tandem = Tandem.start(ConfigLoader.parse(HttpApiTest.CONFIG, "test.yaml"), TandemOptions.defaults(dir));
        server = TandemServer.start(tandem, ServerOptions.loopback(0));
    }

    @AfterEach
    void stop() {
        server.close();
        tandem.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theDashboardAndItsScriptsAreServedWithoutABuildStep() throws Exception {
        HttpResponse<String> index = get("/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("text/html"));
        assertThat(index.body()).contains("<title>Tandem</title>", "id=\"overview-ingest-rate\"", "id=\"views-chart\"",
                "id=\"views-table\"", "id=\"alerts-feed\"", "id=\"analyses-feed\"",
                "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js");
        for (String file : new String[] {"/app.js", "/common.js", "/overview.js", "/views.js", "/alerts.js",
                "/analyses.js", "/dashboard.css"}) {
            assertThat(get(file).statusCode()).as(file).isEqualTo(200);
        }
        HttpResponse<String> uplot = get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js");
        assertThat(uplot.statusCode()).isEqualTo(200);
        assertThat(uplot.body()).contains("uPlot");
        assertThat(get("/webjars/uplot/1.6.30/dist/uPlot.min.css").statusCode()).isEqualTo(200);
        assertThat(get("/no-such-file.js").statusCode()).isEqualTo(404);
    }

    @Test
    void viewsListsEachViewWithItsDimensionsMeasuresAndGranularity() throws Exception {
        HttpResponse<String> r = get("/v1/views");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode view = HttpApiTest.JSON.readTree(r.body()).get("views").get(0);
        assertThat(view.get("name").asText()).isEqualTo("trades_1m");
        assertThat(view.get("from").asText()).isEqualTo("trades");
        assertThat(view.get("granularity").asText()).isEqualTo("1m");
        assertThat(view.get("granularity_ms").asLong()).isEqualTo(60_000);
        assertThat(view.get("dimensions").get(0).get("name").asText()).isEqualTo("symbol");
        assertThat(view.get("dimensions").get(0).get("type").asText()).isEqualTo("string");
        assertThat(view.get("measures")).extracting(m -> m.get("definition").asText())
                .containsExactly("count", "sum(qty)", "max(price)", "first(price)", "last(price)");
    }

    @Test
    void statusCarriesTheOverviewOfBothPaths() throws Exception {
        HttpResponse<String> ingest = http.send(HttpRequest.newBuilder(URI.create(server.url()
                        + "/v1/streams/trades/events")).header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"symbol":"AAPL","price":1,"qty":1,"ts":"2026-11-26T10:05:00Z"}
                        {"symbol":"AAPL","price":"x","qty":1,"ts":"2026-11-26T10:05:00Z"}
                        """)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ingest.statusCode()).isEqualTo(200);
        tandem.awaitCaughtUp(Duration.ofSeconds(10));

        JsonNode o = HttpApiTest.JSON.readTree(get("/v1/status").body()).get("overview");

        assertThat(o.get("accepted").asLong()).isEqualTo(1);
        assertThat(o.get("rejected").asLong()).isEqualTo(1);
        assertThat(o.get("hot_path_lag").asLong()).isZero();
        assertThat(o.get("late_after_close").asLong()).isZero();
        assertThat(o.get("ingest_rate_window_seconds").asLong()).isEqualTo(5);
        assertThat(o.get("ingest_to_visible_p99_ms").asDouble()).isNotNegative();
        assertThat(o.get("alert_latency_p99_ms").isNull()).isTrue();
        assertThat(o.get("epoch_seconds").asDouble()).isEqualTo(3600);
        assertThat(o.get("boundary").get("epoch").isNull()).isTrue();
        assertThat(o.get("last_run").isNull()).isTrue();
        assertThat(o.get("drift").isNull()).isTrue();
        assertThat(o.get("live").get("subscribers").asInt()).isZero();
        assertThat(o.has("ingest_rate")).isTrue();
    }
}
