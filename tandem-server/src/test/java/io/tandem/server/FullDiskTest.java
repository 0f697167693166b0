package io.tandem.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.alert.Alert;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The storage-faults campaign, full disk: a data directory on an 8 MB tmpfs that the test mounts (it needs root;
 * it is skipped where mounting is not permitted). Ingest until the device is full: ingest answers 507 with a reason
 * naming the file, reads go on, and once the tmpfs is grown ingest works again without a restart; after a restart
 * every acknowledged event is counted once and every alert it implies is there once.
 */
@Tag("slow")
class FullDiskTest {

    private static final String CONFIG = """
            epoch: 1h
            streams:
              trades:
                time: ts
                fields: {symbol: string, qty: long, note: string}
            views:
              per_symbol:
                from: trades
                group_by: [symbol]
                granularity: 1d
                measures: {trades: count, volume: sum(qty)}
                needs: {user_waiting: true}
            alerts:
              last_of_request: {stream: trades, on: event, condition: "qty == 199"}
            """;
    private static final int EVENTS_PER_REQUEST = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void when_theDiskFillsUp_then_ingestAnswers507AndRecoversOnceSpaceReturns() throws Exception {
        Path disk = dir.resolve("disk");
        Files.createDirectories(disk);
        int mounted = run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", disk.toString());
        assumeThat(mounted).as("mounting a tmpfs needs root; mount exited with %d, so the full-disk test is skipped",
                mounted).isZero();
        try {
            TandemConfig config = ConfigLoader.parse(CONFIG, "test.yaml");
            Path data = disk.resolve("data");
            long acked = 0;
            int requests = 0;
            int full = 0;
            try (Tandem tandem = Tandem.start(config, TandemOptions.defaults(data).withPartitions(1));
                 TandemServer server = TandemServer.start(tandem, new ServerOptions("127.0.0.1", 0, 1 << 20, null))) {
                // 1. ingest until the device is full: 507, naming the log segment that could not grow
                HttpResponse<String> r;
                while ((r = ingest(server, requests)).statusCode() == 200) {
                    acked += EVENTS_PER_REQUEST;
                    requests++;
                    assertThat(requests).as("requests before the 8 MB device fills up").isLessThan(2_000);
                }
                assertThat(r.statusCode()).as(r.body()).isEqualTo(507);
                assertThat(JSON.readTree(r.body()).path("error").path("message").asText())
                        .startsWith("no space left on the device of " + data.resolve("log").resolve("trades"))
                        .contains("it can be sent again once space is freed");
                assertThat(ingest(server, requests).statusCode()).as("while the device stays full").isEqualTo(507);
                full = requests;

                // 2. reads go on, and count what was acknowledged
                assertThat(get(server, "/v1/status").statusCode()).isEqualTo(200);
                long expected = acked;
                await().atMost(Duration.ofSeconds(30)).until(() -> trades(tandem) == expected);

                // 3. space returns: ingest works again, without a restart
                assertThat(run("mount", "-o", "remount,size=64m", disk.toString())).isZero();
                for (int i = 0; i < 5; i++) {
                    assertThat(ingest(server, requests).statusCode()).isEqualTo(200);
                    acked += EVENTS_PER_REQUEST;
                    requests++;
                }
                long all = acked;
                await().atMost(Duration.ofSeconds(30)).until(() -> trades(tandem) == all);
            }

            // 4. after a restart: nothing lost, nothing twice, each request's alert once
            try (Tandem tandem = Tandem.start(config, TandemOptions.defaults(data).withPartitions(1))) {
                assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
                assertThat(trades(tandem)).isEqualTo(acked);
                int expectedAlerts = requests;
                await().atMost(Duration.ofSeconds(30)).until(() -> alerts(tandem).size() >= expectedAlerts);
                List<Alert> alerts = alerts(tandem);
                assertThat(alerts).hasSize(requests);
                assertThat(new HashSet<>(alerts.stream().map(a -> a.values().get("note")).toList()))
                        .hasSize(requests);
                System.out.printf("storage faults, full disk: %d requests (%d events) acknowledged before the 8 MB "
                        + "tmpfs filled, then 507 naming the segment, reads served; %d more after it grew, no "
                        + "restart; after a restart %d events counted, %d alerts, none twice%n", full,
                        full * (long) EVENTS_PER_REQUEST, requests - full, trades(tandem), alerts.size());
            }
        } finally {
            assertThat(run("umount", disk.toString())).isZero();
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor();
    }

    /** Request {@code n}: 200 trades of qty 0..199, each noting the request, padded to about 250 bytes. */
    private HttpResponse<String> ingest(TandemServer server, int n) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < EVENTS_PER_REQUEST; i++) {
            body.append("{\"ts\":\"2026-11-30T12:00:00Z\",\"symbol\":\"S").append(i % 5).append("\",\"qty\":")
                    .append(i).append(",\"note\":\"r").append(n).append("-").append("x".repeat(150)).append("\"}\n");
        }
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/streams/trades/events"))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(TandemServer server, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long trades(Tandem tandem) {
        long n = 0;
        for (QueryResult.Row row : tandem.query(new ViewQuery("per_symbol", 0, Long.MAX_VALUE / 2, 0, Map.of()))
                .rows()) {
            n += ((Number) row.values()[0]).longValue();
        }
        return n;
    }

    private static List<Alert> alerts(Tandem tandem) {
        return tandem.alerts().history(Long.MIN_VALUE, Long.MAX_VALUE, null, Integer.MAX_VALUE);
    }
}
