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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The alert endpoints on port 0 with a real client: the live feed (SSE) and its resume, history, dead letters. */
class AlertRoutesTest {

    static final String CONFIG = """
            streams:
              trades: {time: ts, fields: {symbol: string, qty: long}}
            alerts:
              big_trade: {stream: trades, for_each: [symbol], on: event, condition: "qty >= 1000"}
            """;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Tandem tandem;
    TandemServer server;
    final HttpClient http = HttpClient.newHttpClient();
    final List<Stream<String>> feeds = new ArrayList<>();

    @BeforeEach
    void start() {
        tandem = Tandem.start(ConfigLoader.parse(CONFIG, "test.yaml"), TandemOptions.defaults(dir).withPartitions(1));
        server = TandemServer.start(tandem, new ServerOptions("127.0.0.1", 0, 64 * 1024, null));
    }

    @AfterEach
    void stop() {
        feeds.forEach(Stream::close);
        server.close();
        tandem.close();
    }

    /** An SSE client: its lines arrive in the returned queue, from a thread of the HTTP client. */
    BlockingQueue<String> live(String lastEventId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + "/v1/alerts/live"))
                .header("Accept", "text/event-stream");
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> r = http.send(b.build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("text/event-stream"));
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Stream<String> body = r.body();
        feeds.add(body);
        Thread reader = new Thread(() -> {
            try {
                body.forEach(lines::add);
            } catch (RuntimeException closed) {
                lines.add("closed: " + closed);
            }
        });
        reader.setDaemon(true);
        reader.start();
        assertThat(lines.poll(10, TimeUnit.SECONDS)).isEqualTo(": connected");
        return lines;
    }

    /** The next SSE event's fields (event, id, data), skipping comments and blank lines. */
    static JsonNode nextEvent(BlockingQueue<String> lines) throws InterruptedException, IOException {
        var event = JSON.createObjectNode();
        while (true) {
            String line = lines.poll(10, TimeUnit.SECONDS);
            assertThat(line).as("an SSE line within 10 s").isNotNull();
            if (line.isEmpty() && event.has("data")) {
                event.set("alert", JSON.readTree(event.get("data").asText()));
                return event;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                event.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
    }

    void bigTrade(String symbol) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url()
                        + "/v1/streams/trades/events"))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ts\":\"2026-11-26T10:00:00Z\",\"symbol\":\"" + symbol
                        + "\",\"qty\":5000}\n"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void when_anAlertFires_then_liveClientsReceiveIt_andAResumingClientGetsWhatItMissed() throws Exception {
        // 1. a client listens; a big trade fires an alert that reaches it as an SSE event
        BlockingQueue<String> first = live(null);
        bigTrade("AAPL");
        JsonNode a = nextEvent(first);
        assertThat(a.get("event").asText()).isEqualTo("alert");
        assertThat(a.get("alert").get("rule").asText()).isEqualTo("big_trade");
        assertThat(a.get("alert").get("dims").get("symbol").asText()).isEqualTo("AAPL");
        assertThat(a.get("alert").get("bucket").isNull()).isTrue();
        String firstId = a.get("id").asText();
        assertThat(a.get("alert").get("id").asText()).isEqualTo(firstId);

        // 2. a second alert fires; a client resuming after the first one gets only the second
        bigTrade("MSFT");
        JsonNode b = nextEvent(first);
        BlockingQueue<String> resumed = live(firstId);
        JsonNode replayed = nextEvent(resumed);
        assertThat(replayed.get("id").asText()).isEqualTo(b.get("id").asText());
        assertThat(replayed.get("alert").get("dims").get("symbol").asText()).isEqualTo("MSFT");

        // 3. the history lists both, oldest first; one rule; a window that holds none
        JsonNode all = JSON.readTree(get("/v1/alerts").body()).get("alerts");
        assertThat(all).extracting(n -> n.get("id").asText()).containsExactly(firstId, b.get("id").asText());
        assertThat(JSON.readTree(get("/v1/alerts?rule=big_trade&limit=1").body()).get("alerts"))
                .extracting(n -> n.get("id").asText()).containsExactly(b.get("id").asText());
        assertThat(JSON.readTree(get("/v1/alerts?to=2000-01-01T00:00:00Z").body()).get("alerts")).isEmpty();
        assertThat(JSON.readTree(get("/v1/alerts/dead-letters").body()).get("dead_letters")).isEmpty();
    }

    @Test
    void when_historyParametersAreBad_then_400NamesThem() throws Exception {
        HttpResponse<String> rule = get("/v1/alerts?rule=nope");
        assertThat(rule.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(rule.body()).get("error").get("message").asText())
                .isEqualTo("rule: unknown rule 'nope' (rules: big_trade)");
        HttpResponse<String> from = get("/v1/alerts?from=yesterday");
        assertThat(from.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(from.body()).get("error").get("message").asText()).startsWith("from: ");
        assertThat(get("/v1/alerts?limit=0").statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(get("/v1/alerts?since=1").body()).get("error").get("message").asText())
                .isEqualTo("unknown parameter 'since' (parameters: from, to, rule, limit)");
    }

    @Test
    void when_theLiveFeedIsAskedForWithoutAcceptingEvents_then_406() throws Exception {
        for (String accept : new String[] {null, "application/json"}) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + "/v1/alerts/live"));
            if (accept != null) {
                b.header("Accept", accept);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(accept).isEqualTo(406);
            assertThat(JSON.readTree(r.body()).get("error").get("message").asText())
                    .as(accept).contains("text/event-stream");
        }
    }

    @Test
    void rulesAreListedWithTheirConditions() throws Exception {
        JsonNode rules = JSON.readTree(get("/v1/alerts/rules").body()).get("rules");
        assertThat(rules).hasSize(1);
        assertThat(rules.get(0).get("name").asText()).isEqualTo("big_trade");
        assertThat(rules.get(0).get("on").asText()).isEqualTo("event");
        assertThat(rules.get(0).get("condition").asText()).isNotBlank();
    }
}
