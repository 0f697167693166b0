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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The edge of ingest over HTTP, on port 0 with a real client: event-time bounds, bodies and values that no parser
 * should choke on (never a 500; valid lines in the same body are kept), empty bodies, and idempotency keys reused
 * with another body (422, across a restart too).
 */
class IngestEdgeTest {

    private static final String CONFIG = """
            epoch: 1h
            streams:
              trades:
                time: ts
                fields: {symbol: string, qty: long}
              quotes:
                time: ts
                max_future: 1d
                min_time: 2000-01-01T00:00:00Z
                fields: {symbol: string}
            views:
              trades_1m:
                from: trades
                group_by: [symbol]
                granularity: 1m
                measures:
                  trades: count
            """;
    /** The server's clock: every request arrives at 2026-12-01T00:00:00Z. */
    private static final long T = Instant.parse("2026-12-01T00:00:00Z").toEpochMilli();
    private static final String VALID = "{\"ts\":\"2026-11-30T23:59:00Z\",\"symbol\":\"OK\",\"qty\":1}";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Tandem tandem;
    TandemServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        tandem = Tandem.start(ConfigLoader.parse(CONFIG, "test.yaml"),
                TandemOptions.defaults(dir).withPartitions(2).withClock(() -> T));
        server = TandemServer.start(tandem, new ServerOptions("127.0.0.1", 0, 64 * 1024, null));
    }

    @AfterEach
    void stop() {
        server.close();
        tandem.close();
    }

    private void restart() {
        server.close();
        tandem.close();
        start();
    }

    private HttpResponse<String> post(String stream, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + "/v1/streams/" + stream + "/events"))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String body, String... headers) throws IOException, InterruptedException {
        return post("trades", body.getBytes(StandardCharsets.UTF_8), headers);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- event-time bounds

    @Test
    void when_eventsAreFarInTheFutureOrThePast_then_eachIsRejectedByItsBound_andTheWatermarkStaysPut()
            throws Exception {
        // 1. one valid event, one in 2099, one at Long.MAX_VALUE, one in year 0001 and one in year -1
        HttpResponse<String> r = post(VALID + "\n"
                + "{\"ts\":\"2099-01-01T00:00:00Z\",\"symbol\":\"F\"}\n"
                + "{\"ts\":9223372036854775807,\"symbol\":\"M\"}\n"
                + "{\"ts\":\"0001-01-01T00:00:00Z\",\"symbol\":\"Y1\"}\n"
                + "{\"ts\":\"-0001-01-01T00:00:00Z\",\"symbol\":\"YM1\"}\n");

        // 2. the valid one is taken; each other one is an error naming its value and the bound
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("accepted").asLong()).isEqualTo(1);
        assertThat(body.get("rejected").asLong()).isEqualTo(4);
        String future = " is after the stream's max_future bound 2026-12-01T01:00:00Z (arrival 2026-12-01T00:00:00Z"
                + " + 1h)";
        String past = " is before the stream's min_time 1900-01-01T00:00:00Z";
        assertThat(body.get("errors")).extracting(e -> e.get("line").asInt() + ": " + e.get("error").asText())
                .containsExactly(
                        "2: ts: 2099-01-01T00:00:00Z" + future,
                        "3: ts: +292278994-08-17T07:12:55.807Z" + future,
                        "4: ts: 0001-01-01T00:00:00Z" + past,
                        "5: ts: -0001-01-01T00:00:00Z" + past);

        // 3. the watermark follows the valid event only (minus the default lateness of 5 s)
        tandem.awaitCaughtUp(Duration.ofSeconds(10));
        JsonNode status = json(get("/v1/status"));
        assertThat(status.get("streams").get("trades").get("watermark").asText()).isEqualTo("2026-11-30T23:58:55Z");
    }

    @Test
    void when_aStreamSetsItsOwnBounds_then_thoseApply() throws Exception {
        HttpResponse<String> r = post("quotes", ("{\"ts\":\"2026-12-01T23:00:00Z\",\"symbol\":\"A\"}\n"
                + "{\"ts\":\"1999-12-31T23:59:59Z\",\"symbol\":\"B\"}\n"
                + "{\"ts\":\"2026-12-02T00:00:00.001Z\",\"symbol\":\"C\"}\n").getBytes(StandardCharsets.UTF_8));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("errors")).extracting(e -> e.get("error").asText()).containsExactly(
                "ts: 1999-12-31T23:59:59Z is before the stream's min_time 2000-01-01T00:00:00Z",
                "ts: 2026-12-02T00:00:00.001Z is after the stream's max_future bound 2026-12-02T00:00:00Z "
                        + "(arrival 2026-12-01T00:00:00Z + 1d)");
    }

    // ---------------------------------------------------------------- bodies and values no parse may choke on

    @Test
    void when_aBodyLooksLikeUtf32_then_itIsA400WithAPerLineError_notA500() throws Exception {
        byte[] utf32 = {0, 0, 0, '{', (byte) 0x83, 2, 1, 0, '\n'};

        HttpResponse<String> alone = post("trades", utf32);

        assertThat(alone.statusCode()).isEqualTo(400);
        assertThat(json(alone).get("errors").get(0).get("error").asText())
                .isEqualTo("malformed JSON: NUL byte at column 1 (a body must be UTF-8 JSON)");

        // beside valid lines, those are kept
        HttpResponse<String> mixed = post("trades", concat(utf32, (VALID + "\n").getBytes(StandardCharsets.UTF_8)));

        assertThat(mixed.statusCode()).isEqualTo(200);
        assertThat(json(mixed).get("accepted").asLong()).isEqualTo(1);
        assertThat(json(mixed).get("errors").get(0).get("line").asInt()).isEqualTo(1);
    }

    @Test
    void when_aTimestampIsPastWhatALongHolds_then_thatLineIsRejected_andTheOthersKept() throws Exception {
        HttpResponse<String> r = post("{\"ts\":\"+1000000000-12-31T23:59:59Z\",\"symbol\":\"X\"}\n" + VALID);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("accepted").asLong()).isEqualTo(1);
        assertThat(json(r).get("errors").get(0).get("error").asText()).isEqualTo(
                "ts: timestamp \"+1000000000-12-31T23:59:59Z\" is out of range (epoch milliseconds must fit a long: "
                        + "-292275055-05-16T16:47:04.192Z .. +292278994-08-17T07:12:55.807Z)");
    }

    @Test
    void when_aGranularityOverflows_then_itIsA400NamingTheValue() throws Exception {
        HttpResponse<String> r = get("/v1/views/trades_1m?from=0&to=60000&granularity=9999999999999999d");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").get("message").asText())
                .isEqualTo("granularity: duration \"9999999999999999d\" is out of "
                + "range (at most 9223372036854775807ms)");
    }

    @Test
    void when_aQueryTimeOverflows_then_itIsA400NamingTheValue() throws Exception {
        HttpResponse<String> r = get("/v1/views/trades_1m?from=%2B1000000000-12-31T23:59:59Z&to=60000");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").get("message").asText())
                .startsWith("from: timestamp \"+1000000000-12-31T23:59:59Z\" is out "
                + "of range");
    }

    @Test
    void when_aBodyHoldsNoEvents_then_itIsA400ThatSaysSo() throws Exception {
        HttpResponse<String> array = post("[]");
        HttpResponse<String> blank = post(" \n\r\n\t\n");

        assertThat(array.statusCode()).isEqualTo(400);
        assertThat(json(array).get("error").get("message").asText())
                .isEqualTo("the body holds no events (an empty JSON array): "
                + "send one JSON object per line, or a JSON array of objects");
        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(json(blank).get("error").get("message").asText())
                .isEqualTo("the body holds no events (only blank lines): "
                + "send one JSON object per line, or a JSON array of objects");
    }

    /** Arbitrary bytes, some behind a valid line: never a 5xx, and the status says whether anything was taken. */
    @Test
    void when_arbitraryBytesArePosted_then_theAnswerIsAlwaysPerLine() throws Exception {
        Random random = new Random(7);
        byte[][] prefixes = {{}, {0, 0, 0, '{'}, {'{', 0}, {(byte) 0xFE, (byte) 0xFF}, {(byte) 0xFF, (byte) 0xFE},
                {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, {'['}, {'[', 0}};
        for (int i = 0; i < 120; i++) {
            byte[] noise = new byte[1 + random.nextInt(80)];
            random.nextBytes(noise);
            boolean withValid = i % 2 == 0;
            byte[] body = concat(withValid ? (VALID + "\n").getBytes(StandardCharsets.UTF_8) : new byte[0],
                    prefixes[i % prefixes.length], noise);

            HttpResponse<String> r = post("trades", body);

            JsonNode answer = json(r);
            if (answer.has("accepted")) {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(answer.get("accepted").asLong() > 0 ? 200 : 400);
                assertThat(answer.get("accepted").asLong()).as(r.body()).isGreaterThanOrEqualTo(withValid ? 1 : 0);
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
                assertThat(answer.get("error").get("message").asText())
                        .as(r.body()).startsWith("the body holds no events");
            }
        }
    }

    // ---------------------------------------------------------------- idempotency keys

    @Test
    void when_anIdempotencyKeyIsReusedWithAnotherBody_then_itIsA422NamingTheKey_evenAfterARestart()
            throws Exception {
        // 1. a request with a key; its retry gets the first answer
        HttpResponse<String> first = post(VALID, "Idempotency-Key", "order-17");
        HttpResponse<String> retry = post(VALID, "Idempotency-Key", "order-17");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body());

        // 2. another body, or the same body to another stream, under the same key is refused
        String other = "{\"ts\":\"2026-11-30T23:59:00Z\",\"symbol\":\"OTHER\",\"qty\":2}";
        HttpResponse<String> reused = post(other, "Idempotency-Key", "order-17");
        assertThat(reused.statusCode()).isEqualTo(422);
        assertThat(json(reused).get("error").get("message").asText())
                .isEqualTo("Idempotency-Key 'order-17' was already used at "
                + "2026-12-01T00:00:00Z by a request with another stream or body; a retry must repeat the request "
                + "exactly, and a new request needs a new key");
        HttpResponse<String> otherStream = post("quotes", VALID.getBytes(StandardCharsets.UTF_8),
                "Idempotency-Key", "order-17");
        assertThat(otherStream.statusCode()).isEqualTo(422);

        // 3. after a restart from the store's checkpoint, the same holds
        tandem.awaitCaughtUp(Duration.ofSeconds(10));
        restart();
        assertThat(post(other, "Idempotency-Key", "order-17").statusCode()).isEqualTo(422);
        assertThat(post(VALID, "Idempotency-Key", "order-17").body()).isEqualTo(first.body());

        // 4. and after a restart with no checkpoint at all, from the marker in the log
        server.close();
        tandem.close();
        try (Stream<Path> files = Files.walk(dir.resolve("store"))) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        start();
        tandem.awaitCaughtUp(Duration.ofSeconds(10));
        assertThat(post(other, "Idempotency-Key", "order-17").statusCode()).isEqualTo(422);
        assertThat(post(VALID, "Idempotency-Key", "order-17").body()).isEqualTo(first.body());

        // 5. only the first request counted
        JsonNode rows = json(get("/v1/views/trades_1m?from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z")).get("rows");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("symbol").asText()).isEqualTo("OK");
        assertThat(rows.get(0).get("trades").asLong()).isEqualTo(1);
    }

    @Test
    void when_aTandemSequenceHeaderIsNotASequence_then_itIsA400NamingTheHeader_andASequencedRequestIsTaken()
            throws Exception {
        HttpResponse<String> bad = post(VALID, "Tandem-Sequence", "my file/1");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).get("error").get("message").asText()).startsWith("Tandem-Sequence: expected <session>/<n>")
                .contains("my file/1");

        assertThat(post(VALID, "Tandem-Sequence", "f3a9c2/0").statusCode()).isEqualTo(200);
        assertThat(post(VALID, "Tandem-Sequence", "f3a9c2/1", "Idempotency-Key", "k1").statusCode()).isEqualTo(200);
    }

    @Test
    void when_clientsDripTheirBodies_then_eachIsAnswered408_andTheApiStillAnswers() throws Exception {
        java.util.List<java.net.Socket> drippers = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < TandemServer.MAX_UPLOADS_PER_CLIENT - 8; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", server.port());
                s.getOutputStream().write(("POST /v1/streams/trades/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/x-ndjson\r\nContent-Length: 10000\r\n\r\n{")
                        .getBytes(StandardCharsets.US_ASCII));
                drippers.add(s);
            }
            // a byte from each, every half second, until the server answers them
            Thread drip = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    for (java.net.Socket s : drippers) {
                        try {
                            s.getOutputStream().write('{');
                        } catch (IOException answeredAndClosed) {
                            // the server has answered this one
                        }
                    }
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            drip.start();
            assertThat(get("/v1/status").statusCode()).isEqualTo(200);
            for (java.net.Socket s : drippers) {
                s.setSoTimeout(30_000);
                java.io.InputStream in = s.getInputStream();
                StringBuilder status = new StringBuilder();
                for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
                    status.append((char) c);
                }
                assertThat(status.toString().strip()).isEqualTo("HTTP/1.1 408 Request Timeout");
            }
            drip.interrupt();
            assertThat(post(VALID).statusCode()).isEqualTo(200);
        } finally {
            for (java.net.Socket s : drippers) {
                s.close();
            }
        }
    }

    @Test
    void when_aClientHasAsManyUploadsInProgressAsAllowed_then_oneMoreIsA429_andTheSlotsComeBackWhenTheyEnd()
            throws Exception {
        java.util.List<java.net.Socket> pending = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < TandemServer.MAX_UPLOADS_PER_CLIENT; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", server.port());
                s.getOutputStream().write(("POST /v1/streams/trades/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Type: application/x-ndjson\r\nContent-Length: 10000\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                pending.add(s);
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                HttpResponse<String> r = post(VALID);
                return r.statusCode() == 429 && r.headers().firstValue("Retry-After").isPresent()
                        && json(r).get("error").get("message").asText().contains(TandemServer.MAX_UPLOADS_PER_CLIENT
                        + " ingest requests of 127.0.0.1 are in progress");
            });
        } finally {
            for (java.net.Socket s : pending) {
                s.close();
            }
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> post(VALID).statusCode() == 200);
    }
}
