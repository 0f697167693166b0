package io.tandem.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /v1/search/{index}} and {@code GET /v1/search} on port 0 with a real client. */
class SearchRoutesTest {

    static final String CONFIG = """
            streams:
              news:
                time: ts
                fields: {headline: string, symbol: string, source: string}
            indexes:
              headlines:
                stream: news
                fields: [headline, source]
            """;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Tandem tandem;
    TandemServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        tandem = Tandem.start(ConfigLoader.parse(CONFIG, "test.yaml"), TandemOptions.defaults(dir).withPartitions(1));
        server = TandemServer.start(tandem, ServerOptions.loopback(0));
        tandem.ingest("news", """
                {"ts":"2026-11-26T10:00:00Z","headline":"ACME agrees merger with Globex","symbol":"AC","source":"wire"}
                {"ts":"2026-11-26T11:00:00Z","headline":"Globex issues profit warning","symbol":"GLBX","source":"blog"}
                {"ts":"2026-11-26T12:00:00Z","headline":"Merger talks end","symbol":"INIT","source":"wire"}
                """.getBytes(StandardCharsets.UTF_8), null);
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/v1/search/headlines?q=" + enc("*:*")).path("total")
                .asLong() == 3);
    }

    @AfterEach
    void stop() {
        server.close();
        tandem.close();
    }

    HttpResponse<String> send(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = send(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static List<String> headlines(JsonNode answer) {
        List<String> out = new ArrayList<>();
        answer.path("hits").forEach(h -> out.add(h.path("fields").path("headline").asText()));
        return out;
    }

    @Test
    void when_aQueryMatches_then_theAnswerHasTheTotalAndEachHitsScoreAndStoredFields() throws Exception {
        JsonNode r = get("/v1/search/headlines?q=merger");
        assertThat(r.path("total").asLong()).isEqualTo(2);
        assertThat(headlines(r)).containsExactlyInAnyOrder("ACME agrees merger with Globex", "Merger talks end");
        JsonNode hit = r.path("hits").get(0);
        assertThat(hit.path("score").asDouble()).isPositive();
        assertThat(hit.path("fields").fieldNames()).toIterable().containsExactly("headline", "symbol", "source",
                "ts", "_arrival", "_epoch", "_partition", "_offset");

        // field syntax, a phrase, and the half-open event-time range
        assertThat(headlines(get("/v1/search/headlines?q=" + enc("merger AND source:wire") + "&from="
                + enc("2026-11-26T10:30:00Z") + "&to=" + enc("2026-11-26T13:00:00Z"))))
                .containsExactly("Merger talks end");
        assertThat(headlines(get("/v1/search/headlines?q=" + enc("\"profit warning\""))))
                .containsExactly("Globex issues profit warning");
        assertThat(get("/v1/search/headlines?q=merger&to=2026-11-26T10:00:00Z").path("total").asLong()).isZero();
        JsonNode limited = get("/v1/search/headlines?q=" + enc("*:*") + "&limit=1");
        assertThat(limited.path("total").asLong()).isEqualTo(3);
        assertThat(limited.path("hits")).hasSize(1);
    }

    @Test
    void when_theRequestIsBad_then_a4xxNamesTheProblem() throws Exception {
        assertError("/v1/search/nope?q=x", 404, "index: unknown index 'nope' (indexes: headlines)");
        assertError("/v1/search/headlines?q=" + enc("headline:(merger"), 400,
                "q: Cannot parse 'headline:(merger': Encountered \"<EOF>\"");
        assertError("/v1/search/headlines?q=" + enc("symbol:ACME"), 400,
                "q: field 'symbol' is not searched by index 'headlines' (its fields: headline, source)");
        assertError("/v1/search/headlines", 400, "q: required");
        assertError("/v1/search/headlines?q=x&limit=0", 400,
                "limit: expected a whole number from 1 to 10000, got \"0\"");
        assertError("/v1/search/headlines?q=x&limit=ten", 400, "limit: expected a whole number from 1 to 10000");
        assertError("/v1/search/headlines?q=x&from=yesterday", 400, "from: ");
        assertError("/v1/search/headlines?q=x&from=2026-11-27T00:00:00Z&to=2026-11-26T00:00:00Z", 400,
                "from: must be before to");
        assertError("/v1/search/headlines?q=x&sort=time", 400, "unknown parameter 'sort'");
        assertError("/v1/search/headlines?q=x&q=y", 400, "q: given 2 times, expected once");
        assertError("/v1/search/headlines?q=" + enc("/[a-z]{0,9999}/"), 400, "q: too complex to search (input "
                + "automaton is too large: 1001); make the regular expression or wildcard simpler");
    }

    void assertError(String path, int status, String messageStart) throws Exception {
        HttpResponse<String> r = send(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(JSON.readTree(r.body()).path("error").path("message").asText()).startsWith(messageStart);
    }

    @Test
    void when_theIndexesAreListed_then_eachShowsWhatItHolds() throws Exception {
        JsonNode r = get("/v1/search");
        JsonNode index = r.path("indexes").get(0);
        assertThat(index.path("name").asText()).isEqualTo("headlines");
        assertThat(index.path("stream").asText()).isEqualTo("news");
        assertThat(index.path("fields").toString()).isEqualTo("[\"headline\",\"source\"]");
        assertThat(index.path("boundary_epoch").isNull()).isTrue();
        assertThat(index.path("batch_docs").asLong()).isZero();

        // and /metrics counts what the real-time part indexed
        HttpResponse<String> metrics = send("/metrics");
        assertThat(metrics.body()).contains("tandem_search_docs_indexed_total{index=\"headlines\"} 3.0")
                .contains("tandem_search_queue_depth{index=\"headlines\"} 0.0")
                .contains("tandem_search_visibility_seconds_count{index=\"headlines\"}");
    }
}
