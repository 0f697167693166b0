package io.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.SecurityDef;
import io.tandem.core.config.ConfigLoader;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.server.auth.Scope;
import io.tandem.server.auth.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** The analysis endpoints on port 0 with a real client: the live feed and its resume, the list, one result, errors. */
class AnalysisRoutesTest {

    static final String CONFIG = """
            streams:
              trades: {time: ts, lateness: 0s, fields: {symbol: string, qty: long}}
            views:
              trades_1m:
                from: trades
                group_by: [symbol]
                granularity: 1m
                measures: {volume: sum(qty)}
            analyses:
              volume_anomaly: {view: trades_1m, measure: volume}
            """;
    static final long T0 = Timestamps.parse("2026-11-26T10:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    /** One trade a minute for minutes 0..60, volume about 100, 5000 in minute 50: 60 closed buckets, one spike. */
    private static void trades(Tandem tandem) {
        Random r = new Random(3);
        StringBuilder body = new StringBuilder();
        for (int m = 0; m <= 60; m++) {
            body.append("{\"symbol\":\"AAPL\",\"qty\":").append(m == 50 ? 5_000 : 100 + r.nextInt(7))
                    .append(",\"ts\":\"").append(Timestamps.format(T0 + m * 60_000L + 1_000)).append("\"}\n");
        }
        tandem.ingest("trades", body.toString().getBytes(StandardCharsets.UTF_8), null);
    }

    private HttpResponse<String> get(TandemServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void when_bucketsClose_then_theLiveFeedPushesQuickResultsAndTheDeepUpdate_andAResumeReplaysWhatFollowed()
            throws Exception {
        try (Tandem tandem = Tandem.start(ConfigLoader.parse(CONFIG, "test.yaml"), TandemOptions.defaults(dir));
             TandemServer server = TandemServer.start(tandem, new ServerOptions("127.0.0.1", 0, 64 * 1024, null));
             SseStream feed = SseStream.open(http, server.url() + "/v1/analyses/live")) {
            assertThat(feed.response.statusCode()).isEqualTo(200);
            await().atMost(WAIT).until(() -> feed.comments.contains("connected"));

            // 1. 60 quick results, and a deep update of each one graded anomalous (the spike among them), each an
            // `analysis` event
            trades(tandem);
            await().atMost(WAIT).until(() -> {
                List<SseStream.Event> all = feed.named("analysis");
                long quick = all.stream().filter(e -> e.json().get("pass").asText().equals("quick")).count();
                long anomalous = all.stream().filter(e -> e.json().get("pass").asText().equals("quick")
                        && e.json().get("grade").asDouble() > 0).count();
                return quick == 60 && all.size() == 60 + anomalous;
            });
            List<SseStream.Event> events = feed.named("analysis");
            int total = events.size();
            JsonNode deep = events.stream().map(SseStream.Event::json)
                    .filter(e -> e.get("pass").asText().equals("deep")
                            && e.get("bucket").asText().equals("2026-11-26T10:50:00Z"))
                    .findFirst().orElseThrow();
            for (String field : List.of("id", "analysis", "dims", "bucket", "pass", "score", "grade", "elapsed_ms")) {
                assertThat(deep.has(field)).as(field).isTrue();
            }
            assertThat(deep.get("dims").get("symbol").asText()).isEqualTo("AAPL");
            assertThat(deep.get("grade").asDouble()).isPositive();
            String id = deep.get("id").asText();
            assertThat(events.stream().filter(e -> e.json().get("id").asText().equals(id)).map(SseStream.Event::id))
                    .containsExactly(id + "-quick", id + "-deep");

            // 2. a client resuming after the 40th event gets those that followed, in order
            try (SseStream resumed = SseStream.open(http, server.url() + "/v1/analyses/live",
                    "Last-Event-ID", events.get(39).id())) {
                await().atMost(WAIT).until(() -> resumed.named("analysis").size() == total - 40);
                assertThat(resumed.named("analysis").stream().map(SseStream.Event::id)).containsExactlyElementsOf(
                        events.subList(40, total).stream().map(SseStream.Event::id).toList());
            }

            // 3. the list has each result once with both passes; one result by id
            JsonNode list = JSON.readTree(get(server, "/v1/analyses?analysis=volume_anomaly&limit=100").body());
            assertThat(list.get("analyses")).hasSize(60);
            JsonNode anomalous = JSON.readTree(get(server, "/v1/analyses?anomalous=true").body()).get("analyses");
            assertThat(anomalous).anySatisfy(a -> assertThat(a.get("id").asText()).isEqualTo(id));
            JsonNode window = JSON.readTree(get(server, "/v1/analyses?from=2026-11-26T10:50:00Z"
                    + "&to=2026-11-26T10:52:00Z").body()).get("analyses");
            assertThat(window).hasSize(2);
            HttpResponse<String> one = get(server, "/v1/analyses/" + id);
            assertThat(one.statusCode()).isEqualTo(200);
            JsonNode both = JSON.readTree(one.body());
            assertThat(both.get("pass").asText()).isEqualTo("deep");
            assertThat(both.get("quick").get("grade").asDouble()).isPositive();
            assertThat(both.get("deep").get("explanation").get("measure").asText()).isEqualTo("volume");
            assertThat(both.get("deep").get("explanation").get("recent")).hasSize(50);

            // 4. bad input: 4xx naming the value
            assertError(get(server, "/v1/analyses/0123abcd"), 404, "0123abcd");
            assertError(get(server, "/v1/analyses?analysis=nope"), 400, "nope");
            assertError(get(server, "/v1/analyses?from=yesterday"), 400, "yesterday");
            assertError(get(server, "/v1/analyses?limit=0"), 400, "\"0\"");
            assertError(get(server, "/v1/analyses?anomalous=maybe"), 400, "maybe");
            assertError(get(server, "/v1/analyses?symbol=AAPL"), 400, "symbol");
            assertError(get(server, "/v1/analyses/live"), 406, "text/event-stream");

            // 5. the deep pass's status
            JsonNode status = JSON.readTree(get(server, "/v1/analyses/status").body());
            assertThat(status.get("deep_backlog").asInt()).isZero();
            assertThat(status.get("state").asText()).isEqualTo("ok");
        }
    }

    @Test
    void when_theServerHasAToken_then_theLiveFeedTakesItAsAQueryParameter() throws Exception {
        Path tokens = dir.resolve("tokens.jsonl");
        String secret = Tokens.create(tokens, "dashboard", Set.of(Scope.READ)).secret();
        try (Tandem tandem = Tandem.start(ConfigLoader.parse(CONFIG, "test.yaml"), TandemOptions.defaults(dir));
             TandemServer server = TandemServer.start(tandem,
                     new ServerOptions("127.0.0.1", 0, 64 * 1024, SecurityDef.tokens(tokens)))) {
            try (SseStream wrong = SseStream.open(http, server.url() + "/v1/analyses/live?access_token=wrong");
                 SseStream right = SseStream.open(http, server.url() + "/v1/analyses/live?access_token=" + secret)) {
                assertThat(wrong.response.statusCode()).isEqualTo(401);
                assertThat(right.response.statusCode()).isEqualTo(200);
            }
            assertThat(get(server, "/v1/analyses?access_token=" + secret).statusCode()).isEqualTo(401);
            assertThat(get(server, "/v1/analyses", "Authorization", "Bearer " + secret).statusCode()).isEqualTo(200);
        }
    }

    private static void assertError(HttpResponse<String> r, int status, String naming) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(JSON.readTree(r.body()).get("error").get("message").asText()).contains(naming);
    }
}
