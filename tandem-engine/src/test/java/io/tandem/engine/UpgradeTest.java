package io.tandem.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.alert.Alert;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.engine.hot.DeadLetters;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import io.tandem.engine.store.InMemoryRealtimeStore;
import io.tandem.spi.view.Catalog;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Upgrades: a data directory written by an earlier release ({@code src/test/resources/golden/datadir-<release>},
 * written by {@link GoldenDataDirWriter}) is read by this one. Each is copied to a temporary folder and opened with
 * its own config; every answer is checked against a plain reference computed from the events it was written from.
 */
class UpgradeTest {

    /** Within the epoch of the directory's last events: nothing is sealed meanwhile, the batch stays as written. */
    private static final long NOW = Timestamps.parse("2026-11-26T12:20:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** One trade of the events files, {@code order} its position in arrival order. */
    record Trade(String symbol, double price, long qty, String trader, long ts, int order) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"datadir-0.1.0"})
    void when_aReleasesDataDirIsOpened_then_everyAnswerIsAsWritten_andNewIngestCountsOnce(String release)
            throws Exception {
        // 1. the release's directory, its config and the events it was written from
        Path golden = Path.of(UpgradeTest.class.getResource("/golden/" + release).toURI());
        Path data = dir.resolve("data");
        copy(golden.resolve("data"), data);
        TandemConfig config = ConfigLoader.parse(Files.readString(golden.resolve("tandem.yaml")), "tandem.yaml");
        String batchedBody = Files.readString(golden.resolve("events/1-batched.ndjson"));
        List<Trade> batched = trades(batchedBody, 0);
        String realtimeBody = Files.readString(golden.resolve("events/2-realtime.ndjson"));
        List<Trade> trades = new ArrayList<>(batched);
        trades.addAll(trades(realtimeBody, trades.size()));
        // the checkpoint is read as it is, not rebuilt from the log (which a store does with one it cannot read)
        long checkpointed;
        try (InMemoryRealtimeStore store = new InMemoryRealtimeStore(new Catalog(config), data.resolve("store"))) {
            checkpointed = store.committedOffset("trades", 0);
        }
        TandemOptions options = TandemOptions.defaults(data).withPartitions(1).withClock(() -> NOW)
                .withAutomaticBatchRuns(false);

        try (Tandem tandem = Tandem.start(config, options)) {
            // 2. the hot path catches up from the checkpoint; the batch version and the lake are as written
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            assertThat(tandem.status().streams().get("trades").logEndOffsets()).containsExactly(checkpointed);
            assertThat(tandem.batchVersion().version()).isEqualTo(1);
            long firstEpoch = config.epochOf(GoldenDataDirWriter.T);
            assertThat(tandem.batchVersion().boundaryEpoch()).isEqualTo(firstEpoch);
            assertThat(tandem.batchVersion().untilMs()).isEqualTo(config.epochStart(firstEpoch + 1));
            assertThat(tandem.batchRuns()).extracting(BatchRun::version, BatchRun::status, BatchRun::rows)
                    .containsExactly(tuple(1L, "published", (long) batched.size()));
            assertThat(tandem.sql().query("SELECT count(*) FROM trades").rows())
                    .containsExactly(List.of((long) batched.size()));

            // 3. every view's merged answer equals the reference; alerts and dead letters read back, once each
            assertViews(tandem, config, trades);
            assertAlerts(tandem, trades);
            DeadLetters.Page letters = tandem.deadLetters().newest("trades", 10);
            assertThat(letters.count()).isEqualTo(1);
            assertThat(letters.letters().get(0).record()).containsExactly(GoldenDataDirWriter.UNREADABLE);

            // 4. new trades on top, and the release's idempotent request sent again: each trade counts once
            String more = GoldenDataDirWriter.trades(trades.size(), trades.size() + 20, NOW - trades.size() * 20_000L);
            assertThat(tandem.ingest("trades", bytes(more), null).accepted()).isEqualTo(20);
            String secondRequest = batchedBody.lines().skip(20).limit(20).map(l -> l + "\n")
                    .collect(Collectors.joining());
            tandem.ingest("trades", bytes(secondRequest), GoldenDataDirWriter.KEY);
            trades.addAll(trades(more, trades.size()));
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            long big = trades.stream().filter(t -> t.qty() >= 1000).count();
            await().atMost(Duration.ofSeconds(30)).until(() -> history(tandem).size() >= big);
            assertViews(tandem, config, trades);
            assertAlerts(tandem, trades);
        }
    }

    private static void assertViews(Tandem tandem, TandemConfig config, List<Trade> trades) {
        assertThat(config.views().keySet()).containsExactlyInAnyOrder("bars", "traders", "totals");
        assertView(tandem, "bars", trades, 60_000, Trade::symbol, group -> Map.of(
                "trades", (long) group.size(),
                "volume", group.stream().mapToLong(Trade::qty).sum(),
                "open", group.stream().min(byTime()).orElseThrow().price(),
                "close", group.stream().max(byTime()).orElseThrow().price(),
                "high", group.stream().mapToDouble(Trade::price).max().orElseThrow()));
        assertView(tandem, "traders", trades, 3_600_000, Trade::symbol, group -> {
            List<Long> qtys = group.stream().map(Trade::qty).sorted().toList();
            return Map.of(
                    "traders", (long) group.stream().map(Trade::trader).distinct().count(),
                    "median_qty", (double) qtys.get((qtys.size() + 1) / 2 - 1),
                    "avg_price", group.stream().mapToDouble(Trade::price).average().orElseThrow());
        });
        assertView(tandem, "totals", trades, 86_400_000, t -> "", group -> Map.of(
                "trades", (long) group.size(),
                "volume", group.stream().mapToLong(Trade::qty).sum(),
                "low", group.stream().mapToDouble(Trade::price).min().orElseThrow()));
    }

    /** The view's merged rows, bucket by bucket and group by group, against {@code reference} of each group. */
    private static void assertView(Tandem tandem, String view, List<Trade> trades, long granularityMs,
                                   Function<Trade, String> group,
                                   Function<List<Trade>, Map<String, Object>> reference) {
        Map<String, List<Trade>> groups = trades.stream().collect(Collectors.groupingBy(
                t -> Timestamps.bucketStart(t.ts(), granularityMs) + "/" + group.apply(t), TreeMap::new,
                Collectors.toList()));
        QueryResult result = tandem.query(new ViewQuery(view, Long.MIN_VALUE, Long.MAX_VALUE, 0, Map.of()));
        Map<String, Map<String, Object>> actual = new TreeMap<>();
        for (QueryResult.Row row : result.rows()) {
            Map<String, Object> values = new TreeMap<>();
            for (int i = 0; i < result.measures().size(); i++) {
                values.put(result.measures().get(i), row.values()[i]);
            }
            actual.put(row.bucket() + "/" + (row.dims().size() == 0 ? "" : row.dims().get(0)), values);
        }
        assertThat(actual.keySet()).as(view).containsExactlyElementsOf(groups.keySet());
        groups.forEach((key, list) -> reference.apply(list).forEach((measure, want) -> {
            Object got = actual.get(key).get(measure);
            if (want instanceof Double d) {
                assertThat((Double) got).as("%s %s %s", view, key, measure).isCloseTo(d, within(1e-9));
            } else {
                assertThat(got).as("%s %s %s", view, key, measure).isEqualTo(want);
            }
        }));
    }

    private static Comparator<Trade> byTime() {
        return Comparator.comparingLong(Trade::ts).thenComparingInt(Trade::order);
    }

    /** One alert of rule {@code big} per trade of qty 1000 or more, and no other. */
    private static void assertAlerts(Tandem tandem, List<Trade> trades) {
        List<Alert> history = history(tandem);
        assertThat(history).extracting(a -> a.id()).doesNotHaveDuplicates();
        assertThat(history).extracting(Alert::rule).containsOnly("big");
        assertThat(history).extracting(a -> a.values().get("symbol") + "@" + a.values().get("ts"))
                .containsExactlyInAnyOrderElementsOf(trades.stream().filter(t -> t.qty() >= 1000)
                        .map(t -> t.symbol() + "@" + Timestamps.format(t.ts())).toList());
    }

    private static List<Alert> history(Tandem tandem) {
        return tandem.alerts().history(Long.MIN_VALUE, Long.MAX_VALUE, null, 1_000);
    }

    private static List<Trade> trades(String ndjson, int firstOrder) throws IOException {
        List<Trade> out = new ArrayList<>();
        for (String line : ndjson.lines().toList()) {
            JsonNode t = JSON.readTree(line);
            out.add(new Trade(t.get("symbol").asText(), t.get("price").asDouble(), t.get("qty").asLong(),
                    t.get("trader").asText(), t.get("ts").asLong(), firstOrder + out.size()));
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(p -> {
                try {
                    Files.copy(p, to.resolve(from.relativize(p).toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
