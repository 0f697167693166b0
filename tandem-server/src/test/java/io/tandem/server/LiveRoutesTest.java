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
import static org.awaitility.Awaitility.await;

/** {@code GET /v1/views/{view}/live} on port 0, read by a real HTTP client as a stream of server-sent events. */
class LiveRoutesTest {

    @TempDir
    Path dir;
    Tandem tandem;
    TandemServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        tandem = Tandem.start(ConfigLoader.parse(HttpApiTest.CONFIG, "test.yaml"),
                TandemOptions.defaults(dir).withPartitions(2));
        server = TandemServer.start(tandem, ServerOptions.loopback(0));
    }

    @AfterEach
    void stop() {
        server.close();
        tandem.close();
    }

    void ingest(String ndjson) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url()
                        + "/v1/streams/trades/events")).header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    SseStream live(String query, String... headers) throws Exception {
        return SseStream.open(http, server.url() + "/v1/views/trades_1m/live" + query, headers);
    }

    HttpResponse<String> get(String path, String accept) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).header("Accept", accept).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void when_eventsAreIngested_then_aRowEventArrivesInTheShapeOfAQueryRow() throws Exception {
        try (SseStream stream = live("?symbol=AAPL")) {
            assertThat(stream.response.statusCode()).isEqualTo(200);
            assertThat(stream.response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("text/event-stream"));

            // 1. two AAPL trades in one minute, one MSFT trade the subscriber does not follow
            ingest("""
                    {"symbol":"AAPL","price":100.5,"qty":10,"ts":"2026-11-26T10:05:30Z"}
                    {"symbol":"MSFT","price":300,"qty":5,"ts":"2026-11-26T10:05:10Z"}
                    {"symbol":"AAPL","price":99.5,"qty":20,"ts":"2026-11-26T10:05:01Z"}
                    """);

            // 2. a row event carrying both AAPL trades, with a numeric id
            await().atMost(Duration.ofSeconds(10)).until(() -> stream.named("row").stream()
                    .anyMatch(e -> e.json().get("trades").asLong() == 2));
            SseStream.Event event = stream.named("row").get(stream.named("row").size() - 1);
            assertThat(Long.parseLong(event.id())).isPositive();

            // 3. the same object, field for field, as the query's row
            JsonNode query = HttpApiTest.JSON.readTree(get("/v1/views/trades_1m?from=2026-11-26T10:00:00Z"
                    + "&to=2026-11-26T11:00:00Z&symbol=AAPL", "application/json").body());
            assertThat(event.json()).isEqualTo(query.get("rows").get(0));
            assertThat(event.json().get("source").asText()).isEqualTo("realtime");
            assertThat(stream.named("row")).allSatisfy(e -> assertThat(e.json().get("symbol").asText())
                    .isEqualTo("AAPL"));
        }
    }

    @Test
    void when_aClientReconnectsWithLastEventId_then_itGetsTheRowsThatChangedWhileAway() throws Exception {
        String lastId;
        try (SseStream first = live("")) {
            ingest("{\"symbol\":\"AAPL\",\"price\":1,\"qty\":1,\"ts\":\"2026-11-26T10:05:00Z\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> !first.named("row").isEmpty());
            lastId = first.named("row").get(0).id();
        }

        // 1. while away: AAPL trades again, MSFT trades for the first time
        ingest("""
                {"symbol":"AAPL","price":2,"qty":1,"ts":"2026-11-26T10:05:01Z"}
                {"symbol":"MSFT","price":3,"qty":1,"ts":"2026-11-26T10:05:02Z"}
                """);
        await().atMost(Duration.ofSeconds(10)).until(() -> tandem.liveViews().lastId() >= Long.parseLong(lastId) + 2);

        // 2. back with the last id: both rows, once each, with their current values
        try (SseStream back = live("", "Last-Event-ID", lastId)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> back.named("row").size() >= 2);
            assertThat(back.named("row")).extracting(e -> e.json().get("symbol").asText())
                    .containsExactlyInAnyOrder("AAPL", "MSFT");
            assertThat(back.named("row")).filteredOn(e -> e.json().get("symbol").asText().equals("AAPL"))
                    .singleElement().satisfies(e -> assertThat(e.json().get("trades").asLong()).isEqualTo(2));
        }
    }

    @Test
    void when_theLastEventIdIsTooOld_then_aCommentSaysSoAndTheRecentRowsFollow() throws Exception {
        long before = tandem.liveViews().lastId();
        ingest("{\"symbol\":\"AAPL\",\"price\":1,\"qty\":1,\"ts\":\"2026-11-26T10:05:00Z\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> tandem.liveViews().lastId() > before);

        try (SseStream stream = live("?last_event_id=1")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !stream.named("row").isEmpty());
            assertThat(stream.comments).anySatisfy(c -> assertThat(c)
                    .startsWith("Last-Event-ID 1 is not among the row changes kept"));
            assertThat(stream.named("row").get(0).json().get("symbol").asText()).isEqualTo("AAPL");
        }
    }

    @Test
    void when_theRequestIsWrong_then_aClientErrorBeforeAnyStream() throws Exception {
        String sse = "text/event-stream";
        assertThat(get("/v1/views/nope/live", sse).statusCode()).isEqualTo(404);
        HttpResponse<String> badDim = get("/v1/views/trades_1m/live?colour=red", sse);
        assertThat(badDim.statusCode()).isEqualTo(400);
        assertThat(badDim.body()).contains("unknown parameter 'colour'");
        assertThat(get("/v1/views/trades_1m/live?symbol=A&symbol=B", sse).statusCode()).isEqualTo(400);
        HttpResponse<String> badId = get("/v1/views/trades_1m/live?last_event_id=abc", sse);
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(badId.body()).contains("last_event_id: expected the id of a row event");
        HttpResponse<String> notSse = get("/v1/views/trades_1m/live", "application/json");
        assertThat(notSse.statusCode()).isEqualTo(406);
        assertThat(notSse.body()).contains("Accept: text/event-stream");
    }
}
