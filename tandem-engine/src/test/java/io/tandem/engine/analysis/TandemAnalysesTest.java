package io.tandem.engine.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.core.GroupKey;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.engine.query.ViewQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/** Analyses inside a running {@link Tandem}: closed buckets get quick results, anomalies deep updates. */
class TandemAnalysesTest {

    static final TandemConfig CONFIG = ConfigLoader.parse("""
            epoch: 1s
            streams:
              trades:
                time: ts
                lateness: 0s
                fields: {symbol: string, qty: long, px: double}
            views:
              trades_1m:
                from: trades
                group_by: [symbol]
                granularity: 1m
                measures:
                  volume: sum(qty)
                  top: max(px)
            analyses:
              volume_anomaly: {view: trades_1m, measure: volume}
              price_anomaly: {view: trades_1m, measure: top}
            """, "test.yaml");
    static final long T0 = Timestamps.parse("2026-11-26T10:00:00Z");
    static final int SPIKE = 50;
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** One AAPL trade per minute, volume about 100, and 5000 in minute {@value #SPIKE}; no px, so top is null. */
    private static void trades(Tandem tandem, int fromMinute, int toMinute) {
        Random r = new Random(fromMinute);
        StringBuilder body = new StringBuilder();
        for (int m = fromMinute; m < toMinute; m++) {
            long qty = m == SPIKE ? 5_000 : 100 + r.nextInt(7);
            body.append("{\"symbol\":\"AAPL\",\"qty\":").append(qty).append(",\"ts\":\"")
                    .append(Timestamps.format(T0 + m * 60_000L + 1_000)).append("\"}\n");
        }
        tandem.ingest("trades", body.toString().getBytes(StandardCharsets.UTF_8), null);
    }

    private static List<AnalysisEntry> volume(Tandem t) {
        return t.analyses().list(Long.MIN_VALUE, Long.MAX_VALUE, "volume_anomaly", false, 10_000);
    }

    @Test
    void when_bucketsClose_then_quickResultsThenADeepUpdateOfTheAnomaly_andARestartNeitherForgetsNorRetrains()
            throws IOException {
        Path data = dir.resolve("data");
        Path crashed = dir.resolve("crashed");
        String spikeId = AnalysisResult.id("volume_anomaly", Map.of("symbol", "AAPL"),
                T0 + SPIKE * 60_000L);
        try (Tandem tandem = Tandem.start(CONFIG, TandemOptions.defaults(data).withCheckpointEveryMs(3_600_000))) {
            // 1. minutes 0..60: the trade at minute 60 moves the watermark past the end of minute 59
            trades(tandem, 0, 61);

            // 2. each of the 60 closed buckets gets one quick result, learned once by the AAPL model
            await().atMost(WAIT).until(() -> volume(tandem).size(), n -> n == 60);
            assertThat(volume(tandem)).allSatisfy(e -> assertThat(e.quick().pass()).isEqualTo("quick"));
            assertThat(tandem.analyses().pointsLearned("volume_anomaly", GroupKey.of("AAPL"))).hasValue(60);

            // 3. the null measure (no px) is skipped: no result, no model, and the analysis thread goes on
            assertThat(tandem.analyses().list(Long.MIN_VALUE, Long.MAX_VALUE, "price_anomaly", false, 100))
                    .isEmpty();
            assertThat(tandem.analyses().pointsLearned("price_anomaly", GroupKey.of("AAPL"))).isEmpty();

            // 4. the spike is graded anomalous, and its deep update has the same id and explains it
            AnalysisEntry spike = tandem.analyses().get(spikeId).orElseThrow();
            assertThat(spike.quick().grade()).isPositive();
            assertThat(spike.quick().value()).isEqualTo(5_000);
            await().atMost(WAIT).until(() -> tandem.analyses().get(spikeId).orElseThrow().deep() != null);
            AnalysisResult deep = tandem.analyses().get(spikeId).orElseThrow().deep();
            assertThat(deep.id()).isEqualTo(spikeId);
            assertThat(deep.pass()).isEqualTo("deep");
            assertThat(deep.grade()).isPositive();
            assertThat(deep.explanation().get("measure").asText()).isEqualTo("volume");
            assertThat(deep.explanation().get("baseline").asText()).isEqualTo("global");
            assertThat(deep.explanation().get("history_points").asInt()).isEqualTo(SPIKE);
            assertThat(deep.explanation().get("expected").asDouble()).isBetween(100.0, 106.0);
            assertThat(deep.explanation().get("range").get("high").asDouble()).isLessThan(5_000);

            // 5. a crash image: the log and the models are on disk, the store was never checkpointed
            tandem.analyses().checkpoint();
            copy(data, crashed);
        }

        // 6. a clean restart reads the results back and keeps the models as they were
        try (Tandem tandem = Tandem.start(CONFIG, TandemOptions.defaults(data))) {
            assertThat(tandem.analyses().get(spikeId).orElseThrow().deep().grade()).isPositive();
            assertThat(volume(tandem)).hasSize(60);
            assertThat(tandem.analyses().pointsLearned("volume_anomaly", GroupKey.of("AAPL"))).hasValue(60);
            // a batch run takes minute 60 (still open) from the real-time store: it must close all the same
            await().atMost(WAIT).until(() -> {
                tandem.runBatch(false).join();
                return tandem.query(new ViewQuery("trades_1m", T0 + 60 * 60_000L, T0 + 61 * 60_000L, 0, Map.of()))
                        .rows().get(0).source().equals("batch");
            });
            // the next minutes close two more buckets, one of them holding a trade
            trades(tandem, 62, 63);
            await().atMost(WAIT).until(() -> volume(tandem).size(), n -> n == 61);
            assertThat(tandem.analyses().pointsLearned("volume_anomaly", GroupKey.of("AAPL"))).hasValue(61);
        }

        // 7. after the crash, the hot path replays the whole log and closes every bucket again: nothing is learned
        // twice and nothing is published twice
        try (Tandem tandem = Tandem.start(CONFIG, TandemOptions.defaults(crashed))) {
            assertThat(tandem.awaitCaughtUp(WAIT)).isTrue();
            trades(tandem, 62, 63);
            await().atMost(WAIT).until(() -> volume(tandem).size(), n -> n == 61);
            assertThat(tandem.analyses().pointsLearned("volume_anomaly", GroupKey.of("AAPL"))).hasValue(61);
            assertThat(volume(tandem).stream().map(AnalysisEntry::id).distinct()).hasSize(61);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            all.forEach(p -> {
                try {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
