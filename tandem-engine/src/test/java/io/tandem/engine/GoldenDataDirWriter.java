package io.tandem.engine;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.batchview.BatchRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Writes the golden data directory that {@link UpgradeTest} reads with the next releases. It runs only when asked
 * for, once per release: {@code -Dtandem.golden.write=DIR} (see RELIABILITY.md, "Upgrades"). DIR gets
 * <pre>
 * DIR/tandem.yaml                 the config
 * DIR/events/1-batched.ndjson     the events ingested before the batch run: in the lake and the batch views
 * DIR/events/2-realtime.ndjson    the events ingested after it: in the log and the real-time store only
 * DIR/data/                       the data directory
 * </pre>
 * One partition and a fixed clock: the first events arrive at 10:30 (the second request with an idempotency key),
 * the batch runs at 12:00 over the epoch of 10:00, and the later events arrive at 12:10, after an unreadable record
 * appended straight to the log, which becomes a dead letter. (It comes after the batch run because the lake of
 * 0.1.0 could not seal an epoch that held one.) Every trade of qty 1500 fires the alert {@code big}.
 */
@EnabledIfSystemProperty(named = GoldenDataDirWriter.PROPERTY, matches = ".+")
class GoldenDataDirWriter {

    static final String PROPERTY = "tandem.golden.write";
    static final long T = Timestamps.parse("2026-11-26T10:00:00Z");
    static final long HOUR = 3_600_000;
    static final String KEY = "golden-request-2";
    static final byte[] UNREADABLE = {1, 2, 3};

    static final String CONFIG = """
            epoch: 1h
            streams:
              trades:
                time: ts
                lateness: 1m
                fields: {symbol: string, price: double, qty: long, trader: string}
            views:
              bars:
                from: trades
                group_by: [symbol]
                granularity: 1m
                measures: {trades: count, volume: sum(qty), open: first(price), close: last(price), high: max(price)}
              traders:
                from: trades
                group_by: [symbol]
                granularity: 1h
                measures: {traders: distinct(trader), median_qty: "quantile(qty, 0.5)", avg_price: mean(price)}
              totals:
                from: trades
                granularity: 1d
                measures: {trades: count, volume: sum(qty), low: min(price)}
            alerts:
              big: {stream: trades, on: event, condition: "qty >= 1000"}
            """;

    /** Trade {@code i}: three symbols, four traders, times that step back now and then (within the lateness). */
    static String trade(int i, long from) {
        String symbol = List.of("AAPL", "MSFT", "ZVZZT").get(i % 3);
        double price = 100 + (i * 37 % 50) / 10.0;
        long qty = i % 17 == 5 ? 1500 : 1 + i * 13 % 90;
        long ts = from + i * 20_000L - (i % 4) * 9_000L;
        return "{\"symbol\":\"" + symbol + "\",\"price\":" + price + ",\"qty\":" + qty + ",\"trader\":\"t" + i % 4
                + "\",\"ts\":" + ts + "}\n";
    }

    static String trades(int from, int to, long start) {
        StringBuilder out = new StringBuilder();
        for (int i = from; i < to; i++) {
            out.append(trade(i, start));
        }
        return out.toString();
    }

    @Test
    void writeGoldenDataDir() throws Exception {
        Path dir = Path.of(System.getProperty(PROPERTY));
        Path data = dir.resolve("data");
        assertThat(data).doesNotExist();
        Files.createDirectories(dir.resolve("events"));
        Files.writeString(dir.resolve("tandem.yaml"), CONFIG);
        TandemConfig config = ConfigLoader.parse(CONFIG, "tandem.yaml");
        AtomicLong clock = new AtomicLong(T + HOUR / 2);
        TandemOptions options = TandemOptions.defaults(data).withPartitions(1).withClock(clock::get)
                .withAutomaticBatchRuns(false);
        try (Tandem tandem = Tandem.start(config, options)) {
            // 1. 60 trades in three requests, the second with an idempotency key
            String batched = trades(0, 60, T);
            Files.writeString(dir.resolve("events/1-batched.ndjson"), batched);
            ingest(tandem, trades(0, 20, T), null);
            ingest(tandem, trades(20, 40, T), KEY);
            ingest(tandem, trades(40, 60, T), null);
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();

            // 2. the epoch of 10:00 is sealed into the lake and batch version 1 is published
            clock.set(T + 2 * HOUR);
            BatchRun run = tandem.runBatch(false).join();
            assertThat(run.status()).isEqualTo("published");
            assertThat(run.rows()).isEqualTo(60);

            // 3. an unreadable record and 15 trades, in the log and the real-time store only
            clock.set(T + 2 * HOUR + 10 * 60_000);
            tandem.log("trades").append(0, null, List.of(UNREADABLE)).get(30, TimeUnit.SECONDS);
            String realtime = trades(60, 75, T + HOUR);
            Files.writeString(dir.resolve("events/2-realtime.ndjson"), realtime);
            ingest(tandem, realtime, null);
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> tandem.alerts().history(Long.MIN_VALUE, Long.MAX_VALUE, null, 100).size() == 5);
        }
    }

    private static void ingest(Tandem tandem, String body, String key) {
        assertThat(tandem.ingest("trades", body.getBytes(StandardCharsets.UTF_8), key).rejected()).isZero();
    }
}
