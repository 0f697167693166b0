package io.tandem.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.config.ConfigException;
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
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code on_bad_event}: a record in the log that the hot path cannot read is left out and counted whatever the
 * policy; {@code dead_letter} keeps it with the reason (once, across a restart's replay) for
 * {@code GET /v1/streams/{stream}/dead-letters}; {@code fail} stops the partition and ingest answers 503.
 */
class BadEventsTest {

    private static final String CONFIG = """
            streams:
              kept:
                time: ts
                fields: {qty: long}
              skipped:
                time: ts
                on_bad_event: skip
                fields: {qty: long}
              strict:
                time: ts
                on_bad_event: fail
                fields: {qty: long}
            """;
    private static final byte[] GARBAGE = {1, 2, 3};
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Tandem tandem;
    TandemServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        tandem = Tandem.start(ConfigLoader.parse(CONFIG, "bad.yaml"), TandemOptions.defaults(dir).withPartitions(1));
        server = TandemServer.start(tandem, ServerOptions.loopback(0));
    }

    @AfterEach
    void stop() {
        server.close();
        tandem.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String stream, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/streams/" + stream + "/events"))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void eachPolicyDoesWhatItSays_andDeadLettersAreKeptOnceAcrossARestart() throws Exception {
        for (String stream : List.of("kept", "skipped", "strict")) {
            tandem.log(stream).append(0, null, List.of(GARBAGE)).join();
        }
        assertThat(post("kept", "{\"ts\": 1000, \"qty\": 5}").statusCode()).isEqualTo(200);
        assertThat(post("skipped", "{\"ts\": 1000, \"qty\": 5}").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> tandem.status().streams().get("kept").lag().get(0) == 0
                && tandem.status().streams().get("skipped").lag().get(0) == 0);

        // dead_letter: kept with the reason and the record's bytes
        JsonNode kept = JSON.readTree(get("/v1/streams/kept/dead-letters").body());
        assertThat(kept.get("on_bad_event").asText()).isEqualTo("dead_letter");
        assertThat(kept.get("count").asLong()).isEqualTo(1);
        JsonNode letter = kept.get("dead_letters").get(0);
        assertThat(letter.get("partition").asInt()).isZero();
        assertThat(letter.get("offset").asLong()).isZero();
        assertThat(letter.get("reason").asText()).isNotBlank();
        assertThat(Base64.getDecoder().decode(letter.get("record").asText())).isEqualTo(GARBAGE);
        // skip: nothing kept; both go on and count the valid event
        assertThat(JSON.readTree(get("/v1/streams/skipped/dead-letters").body()).get("count").asLong()).isZero();
        assertThat(tandem.status().streams().get("kept").lag()).containsExactly(0L);
        assertThat(tandem.status().streams().get("skipped").lag()).containsExactly(0L);

        // fail: the partition stops, status says why, ingest refuses with 503
        await().atMost(Duration.ofSeconds(30)).until(() -> !tandem.status().streams().get("strict").failures()
                .isEmpty());
        JsonNode status = JSON.readTree(get("/v1/status").body());
        assertThat(status.at("/streams/strict/hot_path_failures/0").asText()).contains("on_bad_event: fail");
        HttpResponse<String> refused = post("strict", "{\"ts\": 1000, \"qty\": 5}");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("stopped on partition 0").contains("on_bad_event: fail");

        // a restart replays the log: the dead letter is not kept twice
        server.close();
        tandem.close();
        start();
        await().atMost(Duration.ofSeconds(30)).until(() -> tandem.status().streams().get("kept").lag().get(0) == 0);
        assertThat(JSON.readTree(get("/v1/streams/kept/dead-letters").body()).get("count").asLong()).isEqualTo(1);
    }

    @Test
    void badRequestsForDeadLetters_areNamed() throws Exception {
        assertThat(get("/v1/streams/nope/dead-letters").statusCode()).isEqualTo(404);
        HttpResponse<String> bad = get("/v1/streams/kept/dead-letters?limit=0");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("error").get("message").asText())
                .isEqualTo("limit: expected 1 to 1000, got \"0\"");
        assertThat(get("/v1/streams/kept/dead-letters?limit=99999").statusCode()).isEqualTo(400);
        assertThatThrownBy(() -> ConfigLoader.parse(CONFIG.replace("on_bad_event: skip", "on_bad_event: drop"),
                "bad.yaml")).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors())
                .containsExactly("streams.skipped.on_bad_event: expected skip, dead_letter or fail, got \"drop\""));
    }
}
