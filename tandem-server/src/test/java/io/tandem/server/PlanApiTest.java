package io.tandem.server;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /v1/plan}, and a view on the cold path only over HTTP: batch answers that say how stale they are. */
class PlanApiTest {

    static final String CONFIG = """
            epoch: 1s
            streams:
              trades:
                time: ts
                fields: {symbol: string, price: double, qty: long}
            views:
              live_1m:
                from: trades
                group_by: [symbol]
                granularity: 1m
                measures: {volume: sum(qty)}
                needs: {user_waiting: true, freshness: 2s}
              daily:
                from: trades
                group_by: [symbol]
                granularity: 1h
                measures: {volume: sum(qty), trades: count}
                needs: {staleness: 1h, volume: 50000, complex: true}
            alerts:
              big: {view: live_1m, on: close, condition: "volume > 100.0"}
            """;
    static final long T = 1_800_000_000_000L;

    @TempDir
    Path dir;
    final AtomicLong clock = new AtomicLong(T);
    Tandem tandem;
    TandemServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        tandem = Tandem.start(ConfigLoader.parse(CONFIG, "test.yaml"),
                TandemOptions.defaults(dir).withPartitions(1).withClock(clock::get).withAutomaticBatchRuns(false));
        server = TandemServer.start(tandem, ServerOptions.loopback(0));
    }

    @AfterEach
    void stop() {
        server.close();
        tandem.close();
    }

    HttpResponse<String> send(String method, String path, String body, String accept)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/x-ndjson").header("Accept", accept).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode json(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = send("GET", path, null, "application/json");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return HttpApiTest.JSON.readTree(r.body());
    }

    @Test
    void plan_listsEveryWorkloadWithItsNeedsPathAndRule() throws Exception {
        JsonNode plan = json("/v1/plan");

        List<String> rows = new ArrayList<>();
        plan.get("workloads").forEach(w -> rows.add(w.get("name").asText() + " " + w.get("kind").asText() + " "
                + w.get("path").asText() + " " + w.get("needs") + " | " + w.get("rule").asText()));
        assertThat(rows).containsExactly(
                "live_1m view hot+cold {\"user_waiting\":true,\"freshness\":\"2s\"} | hot+cold: user waiting",
                "daily view cold {\"staleness\":\"1h\",\"volume\":50000,\"complex\":true} | cold: no user waiting,"
                        + " volume 50000/day > 10K, staleness 1h > 1m, complex aggregations",
                "big alert hot {\"trigger\":true} | hot: trigger",
                "query_cache cache hybrid {\"user_waiting\":true} | hybrid: the query cache is invalidated by"
                        + " hot-path commits and warmed after each batch");
    }

    @Test
    void plan_takesNoParameters() throws Exception {
        HttpResponse<String> r = send("GET", "/v1/plan?view=live_1m", null, "application/json");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(HttpApiTest.JSON.readTree(r.body()).get("error").get("message").asText())
                .isEqualTo("unknown parameter 'view' (this endpoint takes none)");
    }

    @Test
    void coldView_answersFromTheBatchAndSaysHowStale() throws Exception {
        send("POST", "/v1/streams/trades/events", "{\"symbol\":\"A\",\"price\":1,\"qty\":5,\"ts\":0}", "*/*");
        tandem.awaitCaughtUp(Duration.ofSeconds(10));
        JsonNode before = json("/v1/views/daily?from=0&to=3600000");
        assertThat(before.get("path").asText()).isEqualTo("cold");
        assertThat(before.get("rows")).as("no batch yet, and no hot state").isEmpty();
        assertThat(before.get("stale_seconds").isNull()).isTrue();
        JsonNode hot = json("/v1/views/live_1m?from=0&to=3600000");
        assertThat(hot.get("path").asText()).isEqualTo("hot+cold");
        assertThat(hot.has("stale_seconds")).isFalse();
        assertThat(hot.get("rows").get(0).get("volume").asLong()).isEqualTo(5);

        clock.addAndGet(5_000);
        HttpResponse<String> run = send("POST", "/v1/batch/run?wait=true", null, "application/json");
        assertThat(HttpApiTest.JSON.readTree(run.body()).get("status").asText()).isEqualTo("published");
        clock.addAndGet(2_500);
        JsonNode after = json("/v1/views/daily?from=0&to=3600000");
        assertThat(after.get("rows")).hasSize(1);
        assertThat(after.get("rows").get(0).get("source").asText()).isEqualTo("batch");
        assertThat(after.get("rows").get(0).get("volume").asLong()).isEqualTo(5);
        // the boundary ends 1 s before the run's time (the lake's grace), and 2.5 s have passed since the run
        assertThat(after.get("stale_seconds").asDouble()).isEqualTo(3.5);

        HttpResponse<String> live = send("GET", "/v1/views/daily/live", null, "text/event-stream");
        assertThat(live.statusCode()).isEqualTo(400);
        assertThat(live.body()).contains("view 'daily' runs on the cold path only (cold: no user waiting");
    }
}
