package io.tandem.engine;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.alert.Alert;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A derived field ({@code notional = price * double(qty)}) summed by a measure, filtered on and alerted on, and a
 * computed result ({@code vwap = vwap_num / volume}) in query rows and alert conditions: the hot path's rows, then
 * the batch's for the same events, each against a plain computation over the events.
 */
class DerivedFieldsAndResultsTest {

    private static final long T = 1_800_000_020_000L;
    private static final long EPOCH_MS = 1_000;
    private static final String CONFIG = """
            epoch: 1s
            streams:
              trades:
                time: ts
                fields:
                  symbol: string
                  price: double
                  qty: long
                  notional: {expr: "price * double(qty)"}
                  big: {expr: "qty >= 100"}
            views:
              vwap_1m:
                from: trades
                group_by: [symbol]
                granularity: 1m
                where: "notional > 0.0 && symbol != 'ZZZ'"
                measures: {vwap_num: sum(notional), volume: sum(qty), trades: count, big_trades: count where big}
                results: {vwap: "vwap_num / volume", big_share: "double(big_trades) / double(trades)"}
            alerts:
              rich: {view: vwap_1m, on: update, condition: "vwap > 150.0"}
              whale: {stream: trades, on: event, condition: "notional > 20000.0"}
              barrier: {stream: trades, on: event, condition: "symbol == 'ZZZ'"}
            """;

    /** One event of the test; price is null for some. */
    private record Trade(String symbol, Double price, long qty, long ts) {
        Double notional() {
            return price == null ? null : price * (double) qty;
        }
    }

    @TempDir
    Path dir;

    @Test
    void derivedMeasuresAndResults_equalAPlainComputation_onTheHotPathAndInTheBatch() {
        List<Trade> trades = trades(new Random(3), 3_000);
        Map<List<Object>, double[]> reference = reference(trades);
        AtomicLong clock = new AtomicLong(T + 200_000);
        TandemConfig config = ConfigLoader.parse(CONFIG, "tandem.yaml");
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(2).withClock(clock::get)
                .withAutomaticBatchRuns(false);
        try (Tandem tandem = Tandem.start(config, options)) {
            for (int i = 0; i < trades.size(); i += 300) {
                tandem.ingest("trades", body(trades.subList(i, Math.min(trades.size(), i + 300))), null);
            }
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();

            QueryResult hot = query(tandem);
            assertThat(hot.measures()).containsExactly("vwap_num", "volume", "trades", "big_trades", "vwap",
                    "big_share");
            assertRows(hot, reference, "realtime");

            // alerts: every HI bucket (vwap 200) fires, no other (vwap at most 120); each whale trade fires once
            tandem.ingest("trades", ("{\"symbol\": \"ZZZ\", \"price\": 1.0, \"qty\": 1, \"ts\": " + T + "}\n")
                    .getBytes(StandardCharsets.UTF_8), null);
            await().atMost(Duration.ofSeconds(30)).until(() -> !alerts(tandem, "barrier").isEmpty());
            List<Alert> rich = alerts(tandem, "rich");
            assertThat(rich).extracting(a -> a.dims().get("symbol")).containsOnly("HI");
            assertThat(rich).hasSize((int) reference.keySet().stream().filter(k -> k.get(0).equals("HI")).count());
            assertThat(rich).allSatisfy(a -> assertThat(a.values()).containsEntry("vwap", 200.0));
            List<Alert> whales = alerts(tandem, "whale");
            assertThat(whales).hasSize((int) trades.stream()
                    .filter(t -> t.notional() != null && t.notional() > 20_000.0).count());
            assertThat(whales).allSatisfy(a -> assertThat((Double) a.values().get("notional"))
                    .isEqualTo((Double) a.values().get("price") * ((Number) a.values().get("qty")).doubleValue()));

            // the batch covers every epoch: its rows are the reference too, and reconciliation finds no drift
            clock.addAndGet(10 * EPOCH_MS);
            BatchRun run = tandem.runBatch(false).join();
            assertThat(run.status()).isEqualTo("published");
            assertThat(run.drift().get("vwap_1m").bucketsDiffering()).as("%s", run.drift()).isZero();
            QueryResult batch = query(tandem);
            assertRows(batch, reference, "batch");
            for (int i = 0; i < hot.rows().size(); i++) {
                Object[] h = hot.rows().get(i).values();
                Object[] b = batch.rows().get(i).values();
                assertThat(b[1]).isEqualTo(h[1]);
                assertThat(b[2]).isEqualTo(h[2]);
                assertThat(b[3]).isEqualTo(h[3]);
                assertThat(b[5]).isEqualTo(h[5]);
            }
        }
    }

    private static List<Alert> alerts(Tandem tandem, String rule) {
        return tandem.alerts().history(Long.MIN_VALUE, Long.MAX_VALUE, rule, Integer.MAX_VALUE);
    }

    private static QueryResult query(Tandem tandem) {
        return tandem.query(new ViewQuery("vwap_1m", T - 60_000, T + 300_000, 0, Map.of()));
    }

    /** Every row against the reference; each result against the row's own measures, exactly. */
    private static void assertRows(QueryResult result, Map<List<Object>, double[]> reference, String source) {
        Map<List<Object>, Object[]> rows = new HashMap<>();
        for (QueryResult.Row row : result.rows()) {
            assertThat(row.source()).isEqualTo(source);
            rows.put(List.of(row.dims().get(0), row.bucket()), row.values());
        }
        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(reference.keySet());
        reference.forEach((key, want) -> {
            Object[] got = rows.get(key);
            assertThat((Double) got[0]).as("vwap_num of %s", key).isCloseTo(want[0], relative(want[0]));
            assertThat(got[1]).as("volume of %s", key).isEqualTo((long) want[1]);
            assertThat(got[2]).as("trades of %s", key).isEqualTo((long) want[2]);
            assertThat(got[3]).as("big_trades of %s", key).isEqualTo((long) want[3]);
            assertThat(got[4]).as("vwap of %s", key).isEqualTo((Double) got[0] / ((Long) got[1]).doubleValue());
            assertThat(got[5]).as("big_share of %s", key)
                    .isEqualTo(((Long) got[3]).doubleValue() / ((Long) got[2]).doubleValue());
        });
    }

    private static org.assertj.core.data.Offset<Double> relative(double value) {
        return org.assertj.core.data.Offset.offset(Math.abs(value) * 1e-12);
    }

    /** (symbol, bucket) → {Σ notional, Σ qty, count, count of qty ≥ 100} over the events the view keeps. */
    private static Map<List<Object>, double[]> reference(List<Trade> trades) {
        Map<List<Object>, double[]> out = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        for (Trade t : trades) {
            Double notional = t.notional();
            if (notional == null || !(notional > 0.0)) {
                continue;
            }
            double[] sums = out.computeIfAbsent(List.of(t.symbol(), Math.floorDiv(t.ts(), 60_000L) * 60_000L),
                    k -> new double[4]);
            sums[0] += notional;
            sums[1] += t.qty();
            sums[2]++;
            sums[3] += t.qty() >= 100 ? 1 : 0;
        }
        return out;
    }

    /** HI always at 200, LO always at 100, MIX from 0 to 120, some without a price; quantities -5 to 400. */
    private static List<Trade> trades(Random r, int n) {
        List<Trade> trades = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String symbol = List.of("HI", "LO", "MIX").get(r.nextInt(3));
            Double price = switch (symbol) {
                case "HI" -> 200.0;
                case "LO" -> 100.0;
                default -> r.nextInt(10) == 0 ? null : Math.round(r.nextDouble() * 12_000) / 100.0;
            };
            trades.add(new Trade(symbol, price, r.nextInt(406) - 5, T + r.nextInt(180_000)));
        }
        return trades;
    }

    private static byte[] body(List<Trade> trades) {
        StringBuilder b = new StringBuilder();
        for (Trade t : trades) {
            b.append("{\"symbol\": \"").append(t.symbol()).append('"');
            if (t.price() != null) {
                b.append(", \"price\": ").append(t.price());
            }
            b.append(", \"qty\": ").append(t.qty()).append(", \"ts\": ").append(t.ts()).append("}\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
