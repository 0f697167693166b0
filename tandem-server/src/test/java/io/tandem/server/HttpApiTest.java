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
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP contract, on port 0 with a real client: ingest, queries, status, metrics and bad input. */
class HttpApiTest {

    static final String CONFIG = """
            epoch: 1h
            streams:
              trades:
                time: ts
                lateness: 5s
                unknown_fields: reject
                fields:
                  symbol: string
                  price: double
                  qty: long
            views:
              trades_1m:
                from: trades
                group_by: [symbol]
                granularity: 1m
                measures:
                  trades: count
                  volume: sum(qty)
                  high: max(price)
                  open: first(price)
                  close: last(price)
            """;

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Tandem tandem;
    TandemServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        tandem = Tandem.start(ConfigLoader.parse(CONFIG, "test.yaml"), TandemOptions.defaults(dir).withPartitions(2));
        server = TandemServer.start(tandem, new ServerOptions("127.0.0.1", 0, 64 * 1024, null));
    }

    @AfterEach
    void stop() {
        server.close();
        tandem.close();
    }

    HttpResponse<String> post(String path, String contentType, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> ingest(String body) throws IOException, InterruptedException {
        return post("/v1/streams/trades/events", "application/x-ndjson", body);
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void when_eventsAreIngested_then_theViewAnswersWithMergedRows() throws Exception {
        // 1. three trades, two of them in the same minute for AAPL, one out of order
        HttpResponse<String> r = ingest("""
                {"symbol":"AAPL","price":100.5,"qty":10,"ts":"2026-11-26T10:05:30Z"}
                {"symbol":"MSFT","price":300,"qty":5,"ts":1795687510000}
                {"symbol":"AAPL","price":99.5,"qty":20,"ts":"2026-11-26T10:05:01Z"}
                """);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("accepted").asLong()).isEqualTo(3);
        assertThat(json(r).get("rejected").asLong()).isZero();
        tandem.awaitCaughtUp(Duration.ofSeconds(10));

        // 2. the AAPL minute holds both trades; open is the earlier event time
        JsonNode q = json(get("/v1/views/trades_1m?from=" + enc("2026-11-26T10:00:00Z") + "&to="
                + enc("2026-11-26T11:00:00Z") + "&symbol=AAPL"));
        assertThat(q.get("view").asText()).isEqualTo("trades_1m");
        assertThat(q.get("granularity").asText()).isEqualTo("1m");
        assertThat(q.get("boundary").get("epoch").isNull()).isTrue();
        assertThat(q.get("rows")).hasSize(1);
        JsonNode row = q.get("rows").get(0);
        assertThat(row.get("bucket").asText()).isEqualTo("2026-11-26T10:05:00Z");
        assertThat(row.get("symbol").asText()).isEqualTo("AAPL");
        assertThat(row.get("trades").asLong()).isEqualTo(2);
        assertThat(row.get("volume").asLong()).isEqualTo(30);
        assertThat(row.get("open").asDouble()).isEqualTo(99.5);
        assertThat(row.get("close").asDouble()).isEqualTo(100.5);

        // 3. rolled up to one hour, every symbol, sorted by bucket then symbol
        JsonNode all = json(get("/v1/views/trades_1m?from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z"
                + "&granularity=1h"));
        assertThat(all.get("granularity").asText()).isEqualTo("1h");
        assertThat(all.get("rows")).hasSize(2);
        assertThat(all.get("rows").get(0).get("symbol").asText()).isEqualTo("AAPL");
        assertThat(all.get("rows").get(1).get("symbol").asText()).isEqualTo("MSFT");
        assertThat(all.get("rows").get(1).get("bucket").asText()).isEqualTo("2026-11-26T10:00:00Z");
    }

    @Test
    void when_someRecordsAreBad_then_theGoodOnesAreAcceptedAndEachBadOneIsNamed() throws Exception {
        HttpResponse<String> r = ingest("""
                {"symbol":"AAPL","price":1.5,"qty":1,"ts":0}
                {"symbol":"AAPL","price":"abc","qty":1,"ts":0}
                not json
                {"symbol":"AAPL","price":1.5,"qty":1}
                {"symbol":"AAPL","price":1.5,"qty":1,"ts":0,"colour":"red"}
                """);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("accepted").asLong()).isEqualTo(1);
        assertThat(body.get("rejected").asLong()).isEqualTo(4);
        assertThat(body.get("errors").get(0).get("line").asInt()).isEqualTo(2);
        assertThat(body.get("errors").get(0).get("error").asText()).contains("price").contains("\"abc\"");
        assertThat(body.get("errors").get(1).get("line").asInt()).isEqualTo(3);
        assertThat(body.get("errors").get(2).get("error").asText()).contains("ts");
        assertThat(body.get("errors").get(3).get("error").asText()).contains("colour");
    }

    @Test
    void when_noRecordIsValid_then_400() throws Exception {
        HttpResponse<String> r = ingest("{\"symbol\":\"A\",\"price\":true,\"qty\":1,\"ts\":0}\n");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("accepted").asLong()).isZero();
        // the counts and each record's error, and the error every 4xx carries, at the first record's line
        JsonNode error = json(r).get("error");
        assertThat(error.get("code").asText()).isEqualTo("bad_request");
        assertThat(error.get("line").asInt()).isEqualTo(1);
        assertThat(error.get("message").asText()).startsWith("none of the 1 records was accepted; line 1: price:");
    }

    @Test
    void everyError_hasOneShape_withACode_aMessage_andTheParamItIsAbout() throws Exception {
        JsonNode from = json(get("/v1/views/trades_1m?from=yesterday&to=1")).get("error");
        assertThat(from.get("code").asText()).isEqualTo("bad_request");
        assertThat(from.get("param").asText()).isEqualTo("from");
        assertThat(from.get("message").asText()).startsWith("from: ");
        JsonNode unknown = json(post("/v1/streams/nope/events", "application/x-ndjson", "{}")).get("error");
        assertThat(unknown.get("code").asText()).isEqualTo("not_found");
        assertThat(unknown.get("param").asText()).isEqualTo("stream");
        JsonNode method = json(http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/status")).DELETE()
                .build(), HttpResponse.BodyHandlers.ofString())).get("error");
        assertThat(method.get("code").asText()).isEqualTo("method_not_allowed");
        assertThat(method.has("param")).isFalse();
        JsonNode array = json(post("/v1/streams/trades/events", "application/json",
                "[{\"symbol\":\"A\",\"price\":1,\"qty\":1.5,\"ts\":0}]")).get("error");
        assertThat(array.get("path").asText()).isEqualTo("[0]");
    }

    @Test
    void when_aJsonArrayIsSent_then_errorsNameTheIndex() throws Exception {
        HttpResponse<String> r = post("/v1/streams/trades/events", "application/json",
                "[{\"symbol\":\"A\",\"price\":1,\"qty\":1,\"ts\":0},"
                        + "{\"symbol\":\"A\",\"price\":1,\"qty\":1.5,\"ts\":0}]");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("errors").get(0).get("index").asInt()).isEqualTo(1);
        assertThat(json(r).get("errors").get(0).get("error").asText()).contains("qty");
    }

    @Test
    void badInputCorpus_getsClearClientErrors_andTheServerKeepsRunning() throws Exception {
        assertThat(ingest("").statusCode()).isEqualTo(400);
        assertThat(json(ingest("")).get("error").get("message").asText()).contains("empty body");
        assertThat(ingest("{\"symbol\":").statusCode()).isEqualTo(400);
        assertThat(ingest("[1, 2]").statusCode()).isEqualTo(400);
        assertThat(ingest("\"just a string\"").statusCode()).isEqualTo(400);
        assertThat(ingest("{\"symbol\":\"A\",\"price\":{\"nested\":1},\"qty\":1,\"ts\":0}").statusCode())
                .isEqualTo(400);
        HttpResponse<String> wrongType = post("/v1/streams/trades/events", "application/x-www-form-urlencoded",
                "a=b");
        assertThat(wrongType.statusCode()).isEqualTo(415);
        assertThat(json(wrongType).get("error").get("message").asText()).contains("application/x-www-form-urlencoded");
        HttpResponse<String> unknownStream = post("/v1/streams/nope/events", "application/x-ndjson", "{}");
        assertThat(unknownStream.statusCode()).isEqualTo(404);
        assertThat(json(unknownStream).get("error").get("message").asText()).contains("'nope'").contains("trades");
        HttpResponse<String> huge = ingest("{\"symbol\":\"" + "x".repeat(70 * 1024) + "\"}");
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(json(huge).get("error").get("message").asText()).contains("65536");

        assertThat(get("/v1/views/nope?from=0&to=1").statusCode()).isEqualTo(404);
        HttpResponse<String> noFrom = get("/v1/views/trades_1m?to=1");
        assertThat(noFrom.statusCode()).isEqualTo(400);
        assertThat(json(noFrom).get("error").get("message").asText()).startsWith("from:");
        assertThat(json(get("/v1/views/trades_1m?from=yesterday&to=1")).get("error").get("message").asText())
                .contains("from").contains("yesterday");
        assertThat(get("/v1/views/trades_1m?from=0&to=1&granularity=90s").statusCode()).isEqualTo(400);
        assertThat(json(get("/v1/views/trades_1m?from=0&to=1&granularity=5x")).get("error").get("message").asText())
                .startsWith("granularity:");
        assertThat(json(get("/v1/views/trades_1m?from=0&to=1&colour=red")).get("error").get("message").asText())
                .contains("'colour'");
        assertThat(get("/v1/views/trades_1m?from=10&to=5").statusCode()).isEqualTo(400);
        assertThat(get("/v1/nothing-here").statusCode()).isEqualTo(404);
        HttpResponse<String> longKey = post("/v1/streams/trades/events", "application/x-ndjson",
                "{\"symbol\":\"A\",\"price\":1,\"qty\":1,\"ts\":0}", "Idempotency-Key", "k".repeat(201));
        assertThat(longKey.statusCode()).isEqualTo(400);
        assertThat(json(longKey).get("error").get("message").asText()).startsWith("Idempotency-Key:").contains("201");

        // still serving
        assertThat(ingest("{\"symbol\":\"A\",\"price\":1,\"qty\":1,\"ts\":0}").statusCode()).isEqualTo(200);
    }

    @Test
    void when_aRangeReachesTheEndsOfTime_then_itIsClippedToEveryBucket_not500() throws Exception {
        ingest("""
                {"symbol":"A","price":1,"qty":1,"ts":-86400000}
                {"symbol":"A","price":2,"qty":2,"ts":"2026-11-26T10:05:00Z"}
                """);
        tandem.awaitCaughtUp(Duration.ofSeconds(10));
        String reference = json(get("/v1/views/trades_1m?from=1969-01-01&to=2027-01-01")).get("rows").toString();
        assertThat(json(get("/v1/views/trades_1m?from=1969-01-01&to=2027-01-01")).get("rows")).hasSize(2);

        for (String range : new String[] {"from=-9223372036854775808&to=9223372036854775807",
                "from=-9223372036854775808&to=2027-01-01", "from=1969-01-01&to=9223372036854775807"}) {
            HttpResponse<String> r = get("/v1/views/trades_1m?" + range);
            assertThat(r.statusCode()).as(range).isEqualTo(200);
            assertThat(json(r).get("rows").toString()).as(range).isEqualTo(reference);
        }
        HttpResponse<String> fromZero = get("/v1/views/trades_1m?from=0&to=9223372036854775807&granularity=1d");
        assertThat(fromZero.statusCode()).isEqualTo(200);
        assertThat(json(fromZero).get("rows")).hasSize(1);
        assertThat(json(fromZero).get("rows").get(0).get("bucket").asText()).isEqualTo("2026-11-26T00:00:00Z");
        for (String empty : new String[] {"from=-9223372036854775808&to=-9223372036854775807",
                "from=9223372036854775806&to=9223372036854775807"}) {
            HttpResponse<String> r = get("/v1/views/trades_1m?" + empty);
            assertThat(r.statusCode()).as(empty).isEqualTo(200);
            assertThat(json(r).get("rows")).as(empty).isEmpty();
        }
    }

    @Test
    void when_theGranularityIsZero_then_400NamingIt() throws Exception {
        for (String g : new String[] {"0s", "0m", "0ms"}) {
            HttpResponse<String> r = get("/v1/views/trades_1m?from=0&to=1&granularity=" + g);
            assertThat(r.statusCode()).as(g).isEqualTo(400);
            assertThat(json(r).get("error").get("message").asText())
                    .as(g).startsWith("granularity:").contains("\"" + g + "\"");
        }
    }

    @Test
    void unknownPathsAndMethods_answerTheJsonError() throws Exception {
        for (String path : new String[] {"/v1/nothing-here", "/nothing-here", "/v1/views/trades_1m/nothing"}) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.headers().firstValue("Content-Type")).as(path).hasValueSatisfying(t -> assertThat(t)
                    .startsWith("application/json"));
            assertThat(json(r).get("error").get("message").asText()).as(path).contains(path);
        }
        HttpResponse<String> wrongMethod = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/status"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(json(wrongMethod).get("error").get("message").asText())
                .isEqualTo("DELETE is not allowed on /v1/status (it takes "
                + "GET)");
    }

    @Test
    void requestsJettyRefusesBeforeAnyRoute_answerTheJsonErrorToo() throws Exception {
        // 1. headers beyond Jetty's limit (a 16 KB idempotency key): 431
        HttpResponse<String> headers = post("/v1/streams/trades/events", "application/x-ndjson", "{}",
                "Idempotency-Key", "k".repeat(16_000));
        // 2. a URI beyond it (10,000 repeated query parameters): 414
        HttpResponse<String> uri = get("/v1/views/trades_1m?from=0&to=1" + "&symbol=A".repeat(10_000));
        // 3. what java.net.http will not send: a byte that is not valid UTF-8 in the path, an HTTP version from afar
        String badPath = raw("GET /v1/views/\u00c0?from=0&to=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\n\r\n");
        String badVersion = raw("GET /v1/status HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n");

        assertThat(headers.statusCode()).isEqualTo(431);
        assertThat(headers.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(json(headers).get("error").get("message").asText())
                .isEqualTo("the request was refused before it reached the "
                + "API: Request Header Fields Too Large");
        assertThat(uri.statusCode()).isEqualTo(414);
        assertThat(json(uri).get("error").get("message").asText())
                .isEqualTo("the request was refused before it reached the API: "
                + "URI Too Long");
        assertThat(badPath).startsWith("HTTP/1.1 400 ").containsIgnoringCase("Content-Type: application/json")
                .endsWith("{\"error\":{\"code\":\"bad_request\",\"message\":\"the request was refused before it "
                        + "reached the API: Illegal Path Character\"}}");
        assertThat(badVersion).startsWith("HTTP/1.1 400 ").endsWith("{\"error\":{\"code\":\"bad_request\","
                + "\"message\":\"the request was refused before it reached the API: Unknown Version\"}}");
    }

    /** Sends bytes as they are and reads the answer until the server closes the connection. */
    String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void when_aRequestIsRetriedWithTheSameIdempotencyKey_then_itIsAppliedOnce() throws Exception {
        String body = "{\"symbol\":\"A\",\"price\":1,\"qty\":7,\"ts\":0}\n"
                + "{\"symbol\":\"A\",\"price\":2,\"qty\":1,\"ts\":0}";
        HttpResponse<String> first = post("/v1/streams/trades/events", "application/x-ndjson", body,
                "Idempotency-Key", "k-1");
        HttpResponse<String> retry = post("/v1/streams/trades/events", "application/x-ndjson", body,
                "Idempotency-Key", "k-1");
        assertThat(retry.statusCode()).isEqualTo(first.statusCode());
        assertThat(retry.body()).isEqualTo(first.body());
        tandem.awaitCaughtUp(Duration.ofSeconds(10));

        // after a restart, the key is still known
        server.close();
        tandem.close();
        tandem = Tandem.start(ConfigLoader.parse(CONFIG, "test.yaml"), TandemOptions.defaults(dir).withPartitions(2));
        server = TandemServer.start(tandem, new ServerOptions("127.0.0.1", 0, 64 * 1024, null));
        HttpResponse<String> later = post("/v1/streams/trades/events", "application/x-ndjson", body,
                "Idempotency-Key", "k-1");
        assertThat(later.body()).isEqualTo(first.body());
        tandem.awaitCaughtUp(Duration.ofSeconds(10));
        JsonNode q = json(get("/v1/views/trades_1m?from=0&to=60000"));
        assertThat(q.get("rows").get(0).get("trades").asLong()).isEqualTo(2);
        assertThat(q.get("rows").get(0).get("volume").asLong()).isEqualTo(8);
    }

    @Test
    void statusAndMetrics_describeIngestAndTheHotPath() throws Exception {
        ingest("{\"symbol\":\"A\",\"price\":1,\"qty\":1,\"ts\":0}\n"
                + "{\"symbol\":\"A\",\"price\":\"x\",\"qty\":1,\"ts\":0}");
        tandem.awaitCaughtUp(Duration.ofSeconds(10));
        JsonNode status = json(get("/v1/status"));
        JsonNode trades = status.get("streams").get("trades");
        assertThat(trades.get("accepted").asLong()).isEqualTo(1);
        assertThat(trades.get("rejected").asLong()).isEqualTo(1);
        assertThat(trades.get("log_end_offsets")).hasSize(2);
        assertThat(trades.get("hot_path_lag").asLong()).isZero();
        assertThat(status.get("uptime_seconds").asDouble()).isGreaterThanOrEqualTo(0);

        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("tandem_ingest_accepted_total{stream=\"trades\"} 1.0")
                .contains("tandem_ingest_rejected_total{stream=\"trades\"} 1.0")
                .contains("tandem_hot_lag_events{stream=\"trades\"}")
                .contains("tandem_ingest_to_visible_seconds_bucket");
    }

    @Test
    void when_theHotPathIsTooFarBehind_then_503WithRetryAfter_andNothingIsAppended(@TempDir Path other)
            throws Exception {
        // a lag bound below zero: the hot path counts as behind whatever it does
        try (Tandem behind = Tandem.start(ConfigLoader.parse(CONFIG, "test.yaml"),
                TandemOptions.defaults(other).withPartitions(1).withMaxLag(-1));
             TandemServer s = TandemServer.start(behind, ServerOptions.loopback(0))) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.url() + "/v1/streams/trades/events"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"symbol\":\"A\",\"price\":1,\"qty\":1,\"ts\":0}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).contains("1");
            assertThat(json(r).get("error").get("message").asText()).contains("behind");
            assertThat(behind.status().streams().get("trades").logEndOffsets()).containsExactly(0L);
        }
    }

    @Test
    void when_bindingBeyondLoopbackWithoutAToken_then_startIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ServerOptions("0.0.0.0", 0, 1024, null))
                .hasMessageContaining("0.0.0.0").hasMessageContaining("token");
    }
}
