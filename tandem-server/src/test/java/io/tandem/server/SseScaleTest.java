package io.tandem.server;

import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Server-sent event streams hold no thread each: with 500 subscribers that never read, no request thread is busy
 * (the pool grows while they connect, to its bound at most, and its threads wait idle), and meanwhile the API
 * answers and a subscriber that reads gets its rows.
 */
class SseScaleTest {

    static final int IDLE = 500;

    @TempDir
    Path dir;

    @Test
    void when_500SubscribersNeverRead_then_threadsStayBounded_andOthersAreServed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<Socket> idle = new ArrayList<>();
        try (Tandem tandem = Tandem.start(ConfigLoader.parse(HttpApiTest.CONFIG, "test.yaml"),
                TandemOptions.defaults(dir).withPartitions(1));
             TandemServer server = TandemServer.start(tandem, ServerOptions.loopback(0))) {
            int before = ManagementFactory.getThreadMXBean().getThreadCount();
            for (int i = 0; i < IDLE; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                idle.add(s);
                String path = i % 2 == 0 ? "/v1/alerts/live" : "/v1/views/trades_1m/live?symbol=A";
                s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                        + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> server.openStreams() == IDLE);
            int during = ManagementFactory.getThreadMXBean().getThreadCount();
            assertThat(server.busyThreads()).as("request threads busy with %d open streams", IDLE).isLessThan(8);
            assertThat(during - before).as("threads added by %d open streams", IDLE)
                    .isLessThanOrEqualTo(TandemServer.MAX_THREADS);

            HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/status"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(status.statusCode()).isEqualTo(200);
            try (SseStream rows = SseStream.open(http, server.url() + "/v1/views/trades_1m/live?symbol=A")) {
                String trade = "{\"symbol\":\"A\",\"price\":2.5,\"qty\":3,\"ts\":\"" + Instant.now() + "\"}";
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url()
                                + "/v1/streams/trades/events")).header("Content-Type", "application/x-ndjson")
                        .POST(HttpRequest.BodyPublishers.ofString(trade)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !rows.named("row").isEmpty());
                assertThat(rows.named("row").get(0).json().get("volume").asLong()).isEqualTo(3);
            }
        } finally {
            for (Socket s : idle) {
                close(s);
            }
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // the server has gone already
        }
    }
}
