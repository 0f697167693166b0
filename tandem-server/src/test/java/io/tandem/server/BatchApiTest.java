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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The batch endpoints and the merged answer over HTTP, with arrival time under the test's control. */
class BatchApiTest {

    static final String CONFIG = HttpApiTest.CONFIG.replace("epoch: 1h", "epoch: 1s");
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

    HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/x-ndjson").build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode json(String method, String path, String body) throws IOException, InterruptedException {
        return HttpApiTest.JSON.readTree(send(method, path, body).body());
    }

    @Test
    void when_aBatchRunCoversAnEpoch_then_queriesSayWhichPathAnswered() throws Exception {
        // 1. two trades arrive in the first epoch, in the same minute of event time
        send("POST", "/v1/streams/trades/events", "{\"symbol\":\"A\",\"price\":1,\"qty\":1,\"ts\":0}\n"
                + "{\"symbol\":\"A\",\"price\":2,\"qty\":2,\"ts\":1000}");
        tandem.awaitCaughtUp(Duration.ofSeconds(10));
        JsonNode before = json("GET", "/v1/views/trades_1m?from=0&to=60000", null);
        assertThat(before.get("boundary").get("epoch").isNull()).isTrue();
        assertThat(before.get("rows").get(0).get("source").asText()).isEqualTo("realtime");

        // 2. the epoch ends; a run publishes version 1 and answers with the run
        clock.addAndGet(5_000);
        JsonNode run = json("POST", "/v1/batch/run?wait=true", null);
        assertThat(run.get("status").asText()).isEqualTo("published");
        assertThat(run.get("version").asLong()).isEqualTo(1);
        assertThat(run.get("drift").get("trades_1m").get("buckets_differing").asLong()).isZero();
        assertThat(run.get("drift").get("trades_1m").get("buckets_compared").asLong()).isEqualTo(1);

        // 3. the same bucket now comes from the batch view; a late trade for it makes it "both"
        JsonNode after = json("GET", "/v1/views/trades_1m?from=0&to=60000", null);
        // every epoch that ended at least the 1 s grace ago is sealed: through T + 4 s
        assertThat(after.get("boundary").get("epoch").asLong()).isEqualTo(T / 1000 + 3);
        assertThat(after.get("boundary").get("until").asText()).isEqualTo("2027-01-15T08:00:04Z");
        assertThat(after.get("boundary").get("version").asLong()).isEqualTo(1);
        assertThat(after.get("rows").get(0).get("source").asText()).isEqualTo("batch");
        assertThat(after.get("rows").get(0).get("volume").asLong()).isEqualTo(3);
        send("POST", "/v1/streams/trades/events", "{\"symbol\":\"A\",\"price\":3,\"qty\":4,\"ts\":2000}");
        tandem.awaitCaughtUp(Duration.ofSeconds(10));
        JsonNode late = json("GET", "/v1/views/trades_1m?from=0&to=60000", null);
        assertThat(late.get("rows").get(0).get("source").asText()).isEqualTo("both");
        assertThat(late.get("rows").get(0).get("volume").asLong()).isEqualTo(7);
        assertThat(late.get("rows").get(0).get("close").asDouble()).isEqualTo(3.0);

        // 4. the run list (only the run asked for: automatic runs are off) and the reconciliation report
        JsonNode runs = json("GET", "/v1/batch", null);
        assertThat(runs.get("cold_path").get("status").asText()).isEqualTo("ok");
        assertThat(runs.get("current").get("version").asLong()).isEqualTo(1);
        assertThat(runs.get("runs")).hasSize(1);
        assertThat(runOf(runs, 1).get("status").asText()).isEqualTo("published");
        assertThat(runOf(runs, 1).get("lake_rows_read").asLong()).isEqualTo(2);
        JsonNode reconciliation = json("GET", "/v1/reconciliation", null);
        assertThat(reconciliation.get("runs").get(0).get("version").asLong()).isEqualTo(1);
        assertThat(reconciliation.get("runs").get(0).get("views").get("trades_1m").get("buckets_differing")
                .asLong()).isZero();
    }

    @Test
    void when_sealingFails_then_batchStatusAndOverviewSayFailedWithTheReason_untilItIsFixed() throws Exception {
        // 1. a trade arrives; a plain file stands where the lake must create its epoch's folder
        send("POST", "/v1/streams/trades/events", "{\"symbol\":\"A\",\"price\":1,\"qty\":1,\"ts\":0}");
        Path blocker = dir.resolve("lake/trades/epoch=" + T / 1000);
        Files.writeString(blocker, "in the way");
        clock.addAndGet(5_000);

        // 2. a run asked for reports the failure instead of "up to date"
        JsonNode run = json("POST", "/v1/batch/run?wait=true", null);
        assertThat(run.get("status").asText()).isEqualTo("failed");
        assertThat(run.get("note").asText()).startsWith("sealing failed: lake of stream 'trades'")
                .contains(blocker.getFileName().toString());

        // 3. /v1/batch and the overview of /v1/status say failed, with the stage and the reason
        JsonNode cold = json("GET", "/v1/batch", null).get("cold_path");
        assertThat(cold.get("status").asText()).isEqualTo("failed");
        assertThat(cold.get("stage").asText()).isEqualTo("sealing");
        assertThat(cold.get("error").asText()).contains("lake of stream 'trades'")
                .contains(blocker.getFileName().toString());
        assertThat(cold.get("attempts").asInt()).isPositive();
        JsonNode overview = json("GET", "/v1/status", null).get("overview").get("cold_path");
        assertThat(overview.get("status").asText()).isEqualTo("failed");
        assertThat(overview.get("error").asText()).isEqualTo(cold.get("error").asText());

        // 4. once the file is gone, the next run seals and publishes, and the cold path is ok again
        Files.delete(blocker);
        JsonNode fixed = json("POST", "/v1/batch/run?wait=true", null);
        assertThat(fixed.get("status").asText()).isEqualTo("published");
        assertThat(fixed.get("lake_rows_read").asLong()).isEqualTo(1);
        assertThat(json("GET", "/v1/batch", null).get("cold_path").get("status").asText()).isEqualTo("ok");
        assertThat(json("GET", "/v1/status", null).get("overview").get("cold_path").get("status").asText())
                .isEqualTo("ok");
    }

    @Test
    void batchRunParameters_areChecked_andAQueuedRunAnswers202() throws Exception {
        HttpResponse<String> bad = send("POST", "/v1/batch/run?full=maybe", null);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("full").contains("maybe");
        HttpResponse<String> queued = send("POST", "/v1/batch/run", null);
        assertThat(queued.statusCode()).isEqualTo(202);
        // the queued run publishes version 1 (empty epochs are sealed too); a full run always publishes, or the
        // queued run, not yet started, becomes full and answers both
        JsonNode full = json("POST", "/v1/batch/run?wait=true&full=true", null);
        assertThat(full.get("status").asText()).isEqualTo("published");
        assertThat(full.get("full").asBoolean()).isTrue();
        assertThat(runOf(json("GET", "/v1/batch", null), full.get("version").asLong()).get("status").asText())
                .isEqualTo("published");
    }

    /** The run of {@code /v1/batch} that published {@code version}. */
    static JsonNode runOf(JsonNode batch, long version) {
        for (JsonNode r : batch.get("runs")) {
            if (r.get("version").asLong() == version && r.get("status").asText().equals("published")) {
                return r;
            }
        }
        throw new AssertionError("no run published version " + version + ": " + batch);
    }
}
