package io.tandem.engine.alert;

import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.ValueRow;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.EngineMetrics;
import io.tandem.engine.feed.Feed;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The history read from {@code alerts.jsonl} while only the newest ids are held in memory: a file of
 * {@value #ALERTS} alerts, {@value #RECENT_IDS} of them held, answers every query as a plain filter of the whole
 * file does, and an old alert replayed by the log does not fire again.
 */
class AlertHistoryTest {

    static final long T = -3_600_000;
    static final int ALERTS = 5_000;
    static final int RECENT_IDS = 100;

    @TempDir
    Path dir;
    final List<Alert> all = new ArrayList<>();

    /** Event-rule alerts of offsets 0, 1, ..., fired a second apart, every third one of rule "other". */
    @BeforeEach
    void seed() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < ALERTS; i++) {
            String rule = i % 3 == 0 ? "other" : "big";
            Alert a = new Alert(Alert.id(rule, "trades", 0, (long) i), rule, null, Map.of(),
                    Map.of("qty", (long) i), T + i * 1_000L);
            all.add(a);
            text.append(a.json()).append('\n');
        }
        Files.writeString(dir.resolve("alerts.jsonl"), text.toString(), StandardCharsets.UTF_8);
    }

    /** The plain reference: the whole list filtered, the newest {@code limit}, oldest first. */
    List<Alert> reference(long from, long to, String rule, int limit) {
        List<Alert> out = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0 && out.size() < limit; i--) {
            Alert a = all.get(i);
            if (a.firedAt() >= from && a.firedAt() < to && (rule == null || rule.equals(a.rule()))) {
                out.add(a);
            }
        }
        Collections.reverse(out);
        return out;
    }

    @Test
    void when_theFileHoldsFarMoreAlertsThanMemory_then_historyAndReplayReadItAsAPlainFilterWould() {
        try (AlertHistory history = new AlertHistory(dir.resolve("alerts.jsonl"), RECENT_IDS)) {
            assertThat(history.heldIds()).isEqualTo(RECENT_IDS);

            long[][] ranges = {{Long.MIN_VALUE, Long.MAX_VALUE}, {T, T + 1_000}, {T + 17_500, T + 2_500_000},
                {T - 5_000, T + 3_000}, {T + 4_999_000, Long.MAX_VALUE}, {T + 6_000_000, Long.MAX_VALUE}};
            for (long[] r : ranges) {
                for (String rule : new String[]{null, "big", "other"}) {
                    for (int limit : new int[]{1, 7, 1_500, Integer.MAX_VALUE}) {
                        assertThat(history.history(r[0], r[1], rule, limit))
                                .as("[%d, %d) %s %d", r[0], r[1], rule, limit)
                                .isEqualTo(reference(r[0], r[1], rule, limit));
                    }
                }
            }

            // a Last-Event-ID among the newest ids replays what followed it; an older one, as an unknown one, nothing
            assertThat(history.after(all.get(ALERTS - 40).id())).isEqualTo(all.subList(ALERTS - 39, ALERTS));
            assertThat(history.after(all.get(ALERTS - 1).id())).isEmpty();
            assertThat(history.after(all.get(10).id())).isEmpty();
            assertThat(history.after("nope")).isEmpty();

            // an old id is found in the file, and remembered beside the newest ones
            assertThat(history.firedRecently(all.get(10).id())).isFalse();
            assertThat(history.fired(all.get(10).id())).isTrue();
            assertThat(history.fired(Alert.id("big", "trades", 0, (long) ALERTS))).isFalse();
            assertThat(history.heldIds()).isEqualTo(RECENT_IDS + 1);
        }
    }

    @Test
    void when_theLogReplaysAnEventWhoseAlertIsNoLongerHeld_then_itDoesNotFireAgain() throws Exception {
        TandemConfig config = ConfigLoader.parse("""
                streams:
                  trades:
                    time: ts
                    fields: {symbol: string, qty: long}
                alerts:
                  big: {stream: trades, on: event, condition: "qty > 1000"}
                """, "test.yaml");
        StreamDef trades = config.streams().get("trades");
        long now = T + 10_000_000;
        try (AlertEngine engine = new AlertEngine(config, dir, new EngineMetrics(), () -> now,
                (view, dims, bucket, measures) -> null, RECENT_IDS, false);
             Feed<Alert> live = engine.subscribe(all.get(ALERTS - 2).id(), 10)) {
            // offset 1 fired long ago (rule big), offset ALERTS is new
            for (long offset : new long[]{1, ALERTS}) {
                ValueRow row = new ValueRow(2);
                row.set(0, "A");
                row.set(1, 2_000L);
                row.position(T, T, offset);
                engine.onEvent(trades, 0, row);
            }
            String fresh = Alert.id("big", "trades", 0, (long) ALERTS);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !engine.history(now, Long.MAX_VALUE, null, 10).isEmpty());

            assertThat(engine.history(now, Long.MAX_VALUE, null, 10)).extracting(a -> a.id()).containsExactly(fresh);
            assertThat(Files.readAllLines(dir.resolve("alerts.jsonl"))).hasSize(ALERTS + 1);
            // the subscriber resumed after the last but one: the last, then the new one live
            assertThat(live.poll(Duration.ofSeconds(1))).isEqualTo(all.get(ALERTS - 1));
            assertThat(live.poll(Duration.ofSeconds(1))).extracting(a -> a.id()).isEqualTo(fresh);
        }
    }
}
