package io.tandem.cli.ingest;

import io.tandem.cli.client.ServerClient;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import io.tandem.server.ServerOptions;
import io.tandem.server.TandemServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replayed file keeps its order as the arrival order at full speed: exchange trades with several trades in one
 * second (ties in event time), sent by {@code tandem ingest} in small batches with four requests in flight, give
 * each minute's {@code open} and {@code close} of the file's first and last trade, as the file says.
 */
class OrderedIngestTest {

    private static final String CONFIG = """
            streams:
              trades:
                time: ts
                fields: {price: double, amount: double}
            views:
              bars_1m:
                from: trades
                granularity: 1m
                measures: {trades: count, open: first(price), close: last(price)}
            """;

    @TempDir
    Path dir;

    private record Trade(long ts, double price) {
    }

    @Test
    void tiesInEventTime_resolveAsTheFileSays_withFourRequestsInFlight() throws Exception {
        Random random = new Random(5);
        long t0 = 1_764_460_800_000L;
        List<Trade> trades = new ArrayList<>();
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < 6_000; i++) {
            long ts = t0 + (i / 6) * 1_000L;             // six trades in each second, like a busy order book
            double price = 1_000 + random.nextInt(100_000) / 100.0;
            trades.add(new Trade(ts, price));
            file.append("{\"ts\":").append(ts).append(",\"price\":").append(price).append(",\"amount\":0.5}\n");
        }
        Path input = Files.writeString(dir.resolve("trades.ndjson"), file);
        Map<Long, String> expected = new TreeMap<>();
        Map<Long, List<Trade>> byMinute = new TreeMap<>();
        trades.forEach(t -> byMinute.computeIfAbsent(t.ts() / 60_000 * 60_000, m -> new ArrayList<>()).add(t));
        byMinute.forEach((minute, ts) -> {
            long first = ts.stream().mapToLong(Trade::ts).min().orElseThrow();
            long last = ts.stream().mapToLong(Trade::ts).max().orElseThrow();
            Trade open = ts.stream().filter(t -> t.ts() == first).findFirst().orElseThrow();
            Trade close = ts.stream().filter(t -> t.ts() == last).reduce((a, b) -> b).orElseThrow();
            expected.put(minute, ts.size() + " " + open.price() + " " + close.price());
        });

        try (Tandem tandem = Tandem.start(ConfigLoader.parse(CONFIG, "bars.yaml"),
                TandemOptions.defaults(dir.resolve("data")).withPartitions(4));
             TandemServer server = TandemServer.start(tandem, ServerOptions.loopback(0))) {
            IngestClient client = new IngestClient(new ServerClient(URI.create(server.url() + "/"), null),
                    IngestOptions.defaults().withBatchLines(7).withConcurrency(4),
                    new PrintWriter(OutputStream.nullOutputStream()));
            IngestResult result = client.send(EventInput.file(input, null), "trades");
            assertThat(result.ok()).as(result.summary()).isTrue();
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();

            Map<Long, String> got = new TreeMap<>();
            for (QueryResult.Row row : tandem.query(new ViewQuery("bars_1m", t0, t0 + 3_600_000, 0, Map.of()))
                    .rows()) {
                Object[] v = row.values();
                got.put(row.bucket(), v[0] + " " + v[1] + " " + v[2]);
            }
            assertThat(got).isEqualTo(expected);
        }
    }
}
