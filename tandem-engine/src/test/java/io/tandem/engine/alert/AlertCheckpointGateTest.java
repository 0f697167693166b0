package io.tandem.engine.alert;

import io.tandem.core.GroupKey;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.EngineMetrics;
import io.tandem.engine.query.QueryResult;
import io.tandem.spi.store.StateKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real-time store's checkpoint waits for the alerts of the events it covers ({@link AlertEngine#awaitRecorded}):
 * a {@code kill -9} after a checkpoint but before the alert thread fsynced an alert would otherwise lose that alert,
 * since the hot path replays only what follows the checkpoint.
 */
class AlertCheckpointGateTest {

    @TempDir
    Path dir;

    @Test
    void when_anAlertIsNotFsyncedYet_then_theOffsetsOfItsCommitAreNotRecorded() throws Exception {
        TandemConfig config = ConfigLoader.parse("""
                streams:
                  trades:
                    time: ts
                    fields: {symbol: string, qty: long}
                  quotes:
                    time: ts
                    fields: {symbol: string}
                views:
                  bars:
                    from: trades
                    group_by: [symbol]
                    granularity: 1m
                    measures: {volume: sum(qty)}
                alerts:
                  heavy: {view: bars, on: update, condition: "volume > 1000.0"}
                """, "test.yaml");
        CountDownLatch evaluating = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        GroupKey acme = GroupKey.of("ACME");
        try (AlertEngine engine = new AlertEngine(config, dir, new EngineMetrics(), () -> 0L,
                (view, dims, bucket, measures) -> {
                    evaluating.countDown();
                    await(release);
                    return new QueryResult.Row(bucket, dims, new Object[]{2000L}, "realtime");
                })) {
            // 1. the hot path commits offsets 0..9 of trades, partition 0, which change ACME's bar
            engine.onCommit(config.streams().get("trades"), 0, Set.of(new StateKey("bars", acme, 0, 0)), 0);
            engine.onApplied(config.streams().get("trades"), 0, 10);
            evaluating.await();
            // 2. while the rule is evaluated the alert is not fsynced: a checkpoint at offset 10 must wait
            assertThat(engine.awaitRecorded("trades", 0, 10, Duration.ofMillis(50))).isFalse();
            // 3. a stream without rules never holds a checkpoint back
            assertThat(engine.awaitRecorded("quotes", 0, 10, Duration.ZERO)).isTrue();
            // 4. once the alert is in alerts.jsonl, offset 10 is recorded
            release.countDown();
            assertThat(engine.awaitRecorded("trades", 0, 10, Duration.ofSeconds(30))).isTrue();
            assertThat(Files.readString(dir.resolve("alerts.jsonl"))).contains("\"rule\":\"heavy\"");
            assertThat(engine.awaitRecorded("trades", 0, 11, Duration.ZERO)).isFalse();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
