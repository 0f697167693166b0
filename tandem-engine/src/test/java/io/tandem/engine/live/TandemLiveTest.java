package io.tandem.engine.live;

import io.tandem.core.GroupKey;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.feed.Feed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Live views inside a running {@link Tandem}: ingested events reach a subscriber as merged rows. */
class TandemLiveTest {

    @TempDir
    Path dir;

    @Test
    void when_eventsAreIngested_then_aSubscriberReceivesTheMergedRowOfTheirGroup() throws Exception {
        try (Tandem tandem = Tandem.start(ConfigLoader.parse("""
                streams:
                  trades:
                    time: ts
                    fields: {symbol: string, qty: long}
                views:
                  trades_1m:
                    from: trades
                    group_by: [symbol]
                    granularity: 1m
                    measures:
                      trades: count
                      volume: sum(qty)
                """, "test.yaml"), TandemOptions.defaults(dir).withPartitions(2))) {
            LiveViews live = tandem.liveViews();
            Feed<LiveRow> s = live.subscribe(live.filter("trades_1m", Map.of("symbol", "AAPL")), null);
            List<LiveRow> received = new CopyOnWriteArrayList<>();

            // 1. three AAPL trades in one minute and one MSFT trade
            tandem.ingest("trades", """
                    {"symbol":"AAPL","qty":10,"ts":"2026-11-26T10:05:01Z"}
                    {"symbol":"MSFT","qty":5,"ts":"2026-11-26T10:05:02Z"}
                    {"symbol":"AAPL","qty":20,"ts":"2026-11-26T10:05:03Z"}
                    {"symbol":"AAPL","qty":30,"ts":"2026-11-26T10:05:04Z"}
                    """.getBytes(StandardCharsets.UTF_8), null);

            // 2. the subscriber's latest AAPL row holds all three, from the real-time path
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                LiveRow r = s.poll(Duration.ofMillis(100));
                if (r != null) {
                    received.add(r);
                }
                assertThat(received).isNotEmpty();
                LiveRow last = received.get(received.size() - 1);
                assertThat(last.row().values()).containsExactly(3L, 60L);
            });
            assertThat(received).allSatisfy(r -> {
                assertThat(r.view()).isEqualTo("trades_1m");
                assertThat(r.row().dims()).isEqualTo(GroupKey.of("AAPL"));
                assertThat(r.row().source()).isEqualTo("realtime");
            });
        }
    }
}
