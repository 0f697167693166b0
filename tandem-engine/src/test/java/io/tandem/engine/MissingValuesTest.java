package io.tandem.engine;

import io.tandem.core.GroupKey;
import io.tandem.core.config.ConfigLoader;
import io.tandem.core.time.Timestamps;
import io.tandem.engine.alert.Alert;
import io.tandem.engine.batchview.BatchRun;
import io.tandem.engine.feed.Feed;
import io.tandem.engine.live.LiveRow;
import io.tandem.engine.live.LiveViews;
import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import io.tandem.engine.sql.SqlResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Events without a field (every field is optional) and sums beyond the long range, through every path: the hot
 * path's query rows, live rows, alert conditions on update and on close with {@code prev}, and the batch (DuckDB)
 * with its SQL table. A measure over a missing value is null everywhere (a count is 0), and an exact sum of longs
 * never wraps.
 */
class MissingValuesTest {

    private static final long T = Timestamps.parse("2026-11-26T10:00:00Z");
    private static final long MINUTE = 60_000;
    private static final long EPOCH_MS = 1_000;

    /** Every measure kind over {@code price}, the where variants included, plus sums and a mean of {@code qty}. */
    private static final String CONFIG = """
            epoch: 1s
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
                measures:
                  trades: count
                  priced: count(price)
                  turnover: sum(price)
                  volume: sum(qty)
                  low: min(price)
                  high: max(price)
                  open: first(price)
                  close: last(price)
                  avg_price: mean(price)
                  avg_qty: mean(qty)
                  var_price: variance(price)
                  prices: distinct(price)
                  p90: quantile(price, 0.9)
                  big: count where price > 100.0
                  big_turnover: sum(price) where price > 100.0
            alerts:
              jump: {view: bars, on: update, condition: "close > open * 1.02 || close < open * 0.98"}
              seen: {view: bars, on: update, condition: "close > 0.0 || trades >= 1"}
              volume_at_close: {view: bars, on: close, condition: "volume >= 1.0"}
              priced_after_unpriced: {view: bars, on: close, prev: 1, condition: "!has(prev[0].close) && close > 0.0"}
            """;

    private static final List<String> MEASURES = List.of("trades", "priced", "turnover", "volume", "low", "high",
            "open", "close", "avg_price", "avg_qty", "var_price", "prices", "p90", "big", "big_turnover");

    @TempDir
    Path dir;

    /** The measures of a row by name. */
    private static Map<String, Object> byName(Object[] values) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < MEASURES.size(); i++) {
            out.put(MEASURES.get(i), values[i]);
        }
        return out;
    }

    /** What every path must answer for the NULLP symbol's three buckets. */
    private static Map<Long, Map<String, Object>> expectedNullp() {
        Map<Long, Map<String, Object>> expected = new LinkedHashMap<>();
        // minutes 0 and 1: trades with a qty but no price: every price measure null, counts 0
        for (long minute = 0; minute < 2; minute++) {
            expected.put(T + minute * MINUTE, byName(new Object[] {1L, 0L, null, minute + 1, null, null, null, null,
                    null, (double) (minute + 1), null, null, null, 0L, null}));
        }
        // minute 2: a price but no qty: the qty measures are null
        expected.put(T + 2 * MINUTE, byName(new Object[] {1L, 1L, 10.0, null, 10.0, 10.0, 10.0, 10.0, 10.0, null,
                0.0, 1L, 10.0, 0L, null}));
        return expected;
    }

    private static Map<Long, Map<String, Object>> rows(Tandem tandem, String symbol, String source) {
        QueryResult r = tandem.query(new ViewQuery("bars", T, T + 10 * MINUTE, 0, Map.of("symbol", symbol)));
        assertThat(r.measures()).isEqualTo(MEASURES);
        Map<Long, Map<String, Object>> out = new LinkedHashMap<>();
        for (QueryResult.Row row : r.rows()) {
            assertThat(row.source()).isEqualTo(source);
            out.put(row.bucket(), byName(row.values()));
        }
        return out;
    }

    private static void ingest(Tandem tandem, String ndjson) {
        var response = tandem.ingest("trades", ndjson.getBytes(StandardCharsets.UTF_8), null);
        assertThat(response.rejected()).as("rejected lines").isZero();
    }

    private static List<Alert> alerts(Tandem tandem, String rule, String symbol) {
        return tandem.alerts().history(Long.MIN_VALUE, Long.MAX_VALUE, rule, Integer.MAX_VALUE).stream()
                .filter(a -> symbol.equals(a.dims().get("symbol"))).toList();
    }

    @Test
    void when_eventsLackAField_then_itsMeasuresAreNull_inQueries_liveRows_alerts_andTheBatch() throws Exception {
        AtomicLong clock = new AtomicLong(T + 10 * MINUTE);
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(1).withClock(clock::get);
        try (Tandem tandem = Tandem.start(ConfigLoader.parse(CONFIG, "test.yaml"), options)) {
            LiveViews live = tandem.liveViews();
            Feed<LiveRow> subscription = live.subscribe(live.filter("bars", Map.of("symbol", "NULLP")), null);

            // 1. two minutes of trades without a price, then one without a qty, then a trade of another symbol
            //    whose time closes the three minutes
            ingest(tandem, "{\"ts\":" + T + ",\"symbol\":\"NULLP\",\"qty\":1}\n"
                    + "{\"ts\":" + (T + MINUTE) + ",\"symbol\":\"NULLP\",\"qty\":2}\n"
                    + "{\"ts\":" + (T + 2 * MINUTE) + ",\"symbol\":\"NULLP\",\"price\":10.0}\n");
            ingest(tandem, "{\"ts\":" + (T + 5 * MINUTE) + ",\"symbol\":\"ZZZ\",\"price\":1.0,\"qty\":1}\n");
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();

            // 2. the hot path answers nulls where no event had the field
            assertThat(rows(tandem, "NULLP", "realtime")).isEqualTo(expectedNullp());

            // 3. live rows carry the same values
            Map<Long, Map<String, Object>> liveRows = new HashMap<>();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                LiveRow r = subscription.poll(Duration.ofMillis(100));
                if (r != null) {
                    assertThat(r.row().dims()).isEqualTo(GroupKey.of("NULLP"));
                    liveRows.put(r.row().bucket(), byName(r.row().values()));
                }
                assertThat(liveRows).isEqualTo(expectedNullp());
            });

            // 4. alerts: a condition on a null measure does not hold, the rest of it still decides, has() sees
            //    the null in prev; ZZZ's update is the last thing handed to the alert thread
            await().atMost(Duration.ofSeconds(10)).until(() -> !alerts(tandem, "seen", "ZZZ").isEmpty());
            assertThat(alerts(tandem, "jump", "NULLP")).isEmpty();
            assertThat(alerts(tandem, "seen", "NULLP")).extracting(Alert::bucket)
                    .containsExactlyInAnyOrder(T, T + MINUTE, T + 2 * MINUTE);
            Alert first = alerts(tandem, "seen", "NULLP").stream().filter(a -> a.bucket() == T).findFirst()
                    .orElseThrow();
            assertThat(first.values()).isEqualTo(expectedNullp().get(T));
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    alerts(tandem, "priced_after_unpriced", "NULLP").size() == 1);
            assertThat(alerts(tandem, "priced_after_unpriced", "NULLP")).extracting(Alert::bucket)
                    .containsExactly(T + 2 * MINUTE);
            await().atMost(Duration.ofSeconds(10)).until(() -> alerts(tandem, "volume_at_close", "NULLP").size() == 2);
            assertThat(alerts(tandem, "volume_at_close", "NULLP")).extracting(Alert::bucket)
                    .containsExactlyInAnyOrder(T, T + MINUTE);

            // 5. the batch covers the epochs: its rows are the same, and so is its SQL table
            clock.addAndGet(5 * EPOCH_MS);
            BatchRun run = tandem.runBatch(false).join();
            assertThat(run.status()).isEqualTo("published");
            assertThat(run.drift().get("bars").bucketsDiffering()).isZero();
            assertThat(rows(tandem, "NULLP", "batch")).isEqualTo(expectedNullp());
            SqlResult sql = tandem.sql().query("SELECT * EXCLUDE (bucket, symbol) FROM bars WHERE symbol = 'NULLP' "
                    + "ORDER BY bucket");
            assertThat(sql.columns()).isEqualTo(MEASURES);
            List<Map<String, Object>> tableRows = new ArrayList<>();
            for (List<Object> row : sql.rows()) {
                Object[] values = row.toArray();
                // the table holds exact sums of longs as DECIMAL(38,0)
                int volume = MEASURES.indexOf("volume");
                values[volume] = values[volume] == null ? null : ((BigDecimal) values[volume]).longValueExact();
                tableRows.add(byName(values));
            }
            assertThat(tableRows).isEqualTo(new ArrayList<>(expectedNullp().values()));
        }
    }

    @Test
    void when_aSumLeavesTheLongRange_then_hotAndBatchAnswerTheExactSum() {
        AtomicLong clock = new AtomicLong(T + 10 * MINUTE);
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(2).withClock(clock::get);
        BigInteger twice = BigInteger.valueOf(Long.MAX_VALUE).shiftLeft(1);
        try (Tandem tandem = Tandem.start(ConfigLoader.parse(CONFIG, "test.yaml"), options)) {
            // 1. two trades of the largest qty, in two requests, then a third that brings the sum back into range
            String max = "{\"ts\":" + T + ",\"symbol\":\"BIG\",\"qty\":" + Long.MAX_VALUE + "}\n";
            ingest(tandem, max);
            ingest(tandem, max);
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();

            // 2. the hot path's sum is exact, and the mean of long values is too
            Map<String, Object> hot = rows(tandem, "BIG", "realtime").get(T);
            assertThat(hot.get("volume")).isEqualTo(twice);
            assertThat(hot.get("avg_qty")).isEqualTo((double) Long.MAX_VALUE);

            // 3. the batch computes the same sum, reconciliation agrees, and the SQL table holds it exactly
            clock.addAndGet(5 * EPOCH_MS);
            BatchRun run = tandem.runBatch(false).join();
            assertThat(run.status()).isEqualTo("published");
            assertThat(run.drift().get("bars").bucketsDiffering()).isZero();
            assertThat(rows(tandem, "BIG", "batch").get(T)).isEqualTo(hot);
            SqlResult sql = tandem.sql().query("SELECT volume FROM bars WHERE symbol = 'BIG'");
            assertThat(sql.rows()).containsExactly(List.of(new BigDecimal(twice)));

            // 4. a later negative trade brings the merged sum back into the long range: a Long again
            ingest(tandem, "{\"ts\":" + T + ",\"symbol\":\"BIG\",\"qty\":" + -Long.MAX_VALUE + "}\n");
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
            assertThat(rows(tandem, "BIG", "both").get(T).get("volume")).isEqualTo(Long.MAX_VALUE);
        }
    }

    @Test
    void when_doubleSumsLeaveTheDoubleRange_then_theyAreInfinite_onBothPaths() {
        AtomicLong clock = new AtomicLong(T + 10 * MINUTE);
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(1).withClock(clock::get);
        try (Tandem tandem = Tandem.start(ConfigLoader.parse(CONFIG, "test.yaml"), options)) {
            // 1. two prices whose sum leaves the double range
            String huge = "{\"ts\":" + T + ",\"symbol\":\"HUGE\",\"price\":1.0e308,\"qty\":1}\n";
            ingest(tandem, huge + huge);
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();

            // 2. the hot path's sum and mean are infinite, not an error
            Map<String, Object> hot = rows(tandem, "HUGE", "realtime").get(T);
            assertThat(hot.get("turnover")).isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(hot.get("avg_price")).isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(Arrays.asList(hot.get("low"), hot.get("high"))).containsExactly(1.0e308, 1.0e308);

            // 3. so are the batch's (DuckDB's fsum alone says NaN), and reconciliation finds no difference
            clock.addAndGet(5 * EPOCH_MS);
            BatchRun run = tandem.runBatch(false).join();
            assertThat(run.status()).isEqualTo("published");
            assertThat(run.drift().get("bars").bucketsDiffering()).isZero();
            assertThat(run.drift().get("bars").maxRelativeDifference()).isZero();
            assertThat(rows(tandem, "HUGE", "batch").get(T)).isEqualTo(hot);
        }
    }
}
