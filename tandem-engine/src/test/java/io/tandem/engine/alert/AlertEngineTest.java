package io.tandem.engine.alert;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each kind of rule end to end through {@link Tandem#ingest}, with one partition so that the alert thread sees the
 * hot path's hand-overs in order: a trade of qty 999999 fires {@code barrier}, and once that alert is there every
 * earlier event has been evaluated too, which lets a test say that something did not fire.
 */
class AlertEngineTest {

    static final long T = Timestamps.parse("2026-11-26T10:00:00Z");
    static final long MINUTE = 60_000;

    static final String CONFIG = """
            epoch: 1h
            streams:
              trades:
                time: ts
                lateness: 1s
                fields: {symbol: string, price: double, qty: long}
            views:
              bars:
                from: trades
                group_by: [symbol]
                granularity: 1m
                measures: {trades: count, volume: sum(qty), open: first(price), close: last(price)}
            alerts:
              barrier: {stream: trades, on: event, condition: "qty == 999999"}
              big_trade: {stream: trades, for_each: [symbol], on: event, condition: "qty >= 1000 && qty < 999999"}
              jump: {view: bars, on: update, condition: "close > open * 1.02"}
              heavy_minute: {view: bars, on: close, condition: "volume >= 100.0 && volume < 999999.0"}
              above_last: {view: bars, on: close, condition: "close > prev[0].close"}
            """;

    @TempDir
    Path dir;
    Tandem tandem;
    int barriers;

    Tandem start() {
        TandemConfig config = ConfigLoader.parse(CONFIG, "test.yaml");
        tandem = Tandem.start(config, TandemOptions.defaults(dir).withPartitions(1).withClock(() -> T));
        return tandem;
    }

    @AfterEach
    void stop() {
        if (tandem != null) {
            tandem.close();
        }
    }

    /** One trade of AAPL at {@code T + offsetMs}. */
    static String trade(long offsetMs, double price, long qty) {
        return "{\"ts\":" + (T + offsetMs) + ",\"symbol\":\"AAPL\",\"price\":" + price + ",\"qty\":" + qty + "}\n";
    }

    void ingest(String... lines) {
        tandem.ingest("trades", String.join("", lines).getBytes(StandardCharsets.UTF_8), null);
    }

    /** Waits until the alert thread has evaluated everything ingested so far. */
    void settle() {
        barriers++;
        int expected = barriers;
        ingest("{\"ts\":" + T + ",\"symbol\":\"ZZZ\",\"price\":1.0,\"qty\":999999}\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> rule("barrier").size() >= expected);
    }

    List<Alert> rule(String name) {
        return tandem.alerts().history(Long.MIN_VALUE, Long.MAX_VALUE, name, Integer.MAX_VALUE);
    }

    @Test
    void when_anEventMatches_then_itFiresOnce_withItsFieldsAndNoBucket() {
        start();

        ingest(trade(0, 10.0, 5), trade(1_000, 10.0, 1_500));
        settle();

        List<Alert> big = rule("big_trade");
        assertThat(big).hasSize(1);
        Alert a = big.get(0);
        assertThat(a.bucket()).isNull();
        assertThat(a.dims()).isEqualTo(Map.of("symbol", "AAPL"));
        assertThat(a.values()).containsEntry("qty", 1_500L).containsEntry("price", 10.0)
                .containsEntry("ts", "2026-11-26T10:00:01Z");
        assertThat(a.firedAt()).isEqualTo(T);

        // every alert fired (big_trade, the barrier) is timed at each stage
        long fired = rule(null).size();
        assertThat(fired).isEqualTo(2);
        for (String stage : List.of("evaluated", "persisted", "sent")) {
            assertThat(stageCount(stage)).as(stage).isEqualTo(fired);
        }
        assertThat(stageCount("applied")).isGreaterThanOrEqualTo(fired);
    }

    long stageCount(String stage) {
        return tandem.metrics().registry().get("tandem.alert.stage").tag("stage", stage).timer().count();
    }

    @Test
    void when_theOpenBucketCrossesTheCondition_then_updateFiresOnce_evenWhileItStaysTrue() {
        start();

        // 1. the minute opens at 100 and moves 1%: nothing yet
        ingest(trade(0, 100.0, 1), trade(1_000, 101.0, 1));
        settle();
        assertThat(rule("jump")).isEmpty();

        // 2. 3% up: fires at once, in the open bucket
        ingest(trade(2_000, 103.0, 1));
        await().until(() -> rule("jump").size() == 1);

        // 3. it stays true over many more updates: still one alert for (jump, AAPL, 10:00)
        for (int i = 0; i < 5; i++) {
            ingest(trade(3_000 + i, 104.0 + i, 1));
        }
        settle();
        List<Alert> jumps = rule("jump");
        assertThat(jumps).hasSize(1);
        assertThat(jumps.get(0).bucket()).isEqualTo(T);
        assertThat(jumps.get(0).dims()).isEqualTo(Map.of("symbol", "AAPL"));
        assertThat(jumps.get(0).values()).containsEntry("open", 100.0).containsEntry("close", 103.0)
                .containsEntry("trades", 3L);
    }

    @Test
    void when_theWatermarkPassesABucket_then_closeEvaluatesItsFinalValueOnce() {
        start();

        // 1. 150 in the 10:00 bucket; the watermark (latest event time - 1s) is still inside it
        ingest(trade(0, 10.0, 100), trade(30_000, 10.0, 50));
        settle();
        assertThat(rule("heavy_minute")).isEmpty();

        // 2. an event at 10:01:01 moves the watermark to 10:01:00, the end of the bucket: it closes
        ingest(trade(MINUTE + 1_000, 10.0, 1));
        await().until(() -> rule("heavy_minute").size() == 1);
        Alert heavy = rule("heavy_minute").get(0);
        assertThat(heavy.bucket()).isEqualTo(T);
        assertThat(heavy.values()).containsEntry("volume", 150L);

        // 3. later closes do not fire it again, and the light 10:01 bucket does not fire
        ingest(trade(5 * MINUTE, 10.0, 1));
        settle();
        assertThat(rule("heavy_minute")).hasSize(1);
    }

    @Test
    void when_aConditionReadsPrev_then_itComparesWithThePreviousBucket() {
        start();

        // 10:00 closes at 100, 10:01 at 101, 10:02 at 99; then the watermark passes all three
        ingest(trade(0, 100.0, 1), trade(MINUTE, 101.0, 1), trade(2 * MINUTE, 99.0, 1),
                trade(3 * MINUTE + 1_000, 99.0, 1));
        settle();

        // 10:00 has no previous bucket, 10:02 is below 10:01: only 10:01 fires
        List<Alert> above = rule("above_last");
        assertThat(above).extracting(Alert::bucket).containsExactly(T + MINUTE);
        assertThat(above.get(0).values()).containsEntry("close", 101.0);
    }

    @Test
    void when_restartedAndTheLogReplayedFromTheStart_then_nothingFiresAgain_andHistorySurvives() throws Exception {
        start();
        ingest(trade(0, 100.0, 2_000), trade(1_000, 110.0, 1), trade(MINUTE + 1_000, 110.0, 1));
        settle();
        List<Alert> before = tandem.alerts().history(Long.MIN_VALUE, Long.MAX_VALUE, null, Integer.MAX_VALUE);
        assertThat(before).extracting(Alert::rule)
                .contains("big_trade", "jump", "heavy_minute", "barrier");
        tandem.close();

        // the real-time store's checkpoints are gone: the hot path applies the whole log again
        try (Stream<Path> files = Files.walk(dir.resolve("store"))) {
            files.filter(Files::isRegularFile).forEach(f -> f.toFile().delete());
        }
        start();
        settle();

        List<Alert> after = tandem.alerts().history(Long.MIN_VALUE, Long.MAX_VALUE, null, Integer.MAX_VALUE);
        assertThat(after.subList(0, before.size())).isEqualTo(before);
        assertThat(after.subList(before.size(), after.size())).extracting(Alert::rule).containsExactly("barrier");
        assertThat(Files.readAllLines(dir.resolve("alerts/alerts.jsonl"))).hasSize(after.size());
    }
}
