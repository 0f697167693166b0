package io.tandem.engine;

import io.tandem.engine.query.QueryResult;
import io.tandem.engine.query.ViewQuery;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Invariant 1 on the hot path: whatever the order of events, however late, across restarts, in any rollup, the
 * merged view equals a plain reference computation over every acknowledged event.
 */
class MergedViewPropertyTest {

    private static final long T0 = -90_000L; // a minute and a half before 1970: bucketing must floor

    @Property(tries = 25)
    void mergedViewEqualsReference(@ForAll("trades") List<Reference.Trade> trades,
                                   @ForAll @IntRange(min = 1, max = 5) int rollup,
                                   @ForAll @IntRange(min = 1, max = 4) int chunks,
                                   @ForAll boolean restartMidway,
                                   @ForAll boolean filterSymbol) throws IOException {
        Path dir = Files.createTempDirectory("tandem-prop");
        AtomicLong clock = new AtomicLong(1_000_000);
        TandemOptions options = TandemOptions.defaults(dir).withPartitions(2).withClock(clock::incrementAndGet);
        List<Reference.Trade> acked = new ArrayList<>();
        Tandem tandem = Tandem.start(TestConfigs.config(3_600_000), options);
        try {
            // ingest in chunks, each chunk one request; arrival order is request order (the clock only rises)
            int size = Math.max(1, trades.size() / chunks);
            for (int from = 0; from < trades.size(); from += size) {
                List<Reference.Trade> chunk = trades.subList(from, Math.min(trades.size(), from + size));
                String body = chunk.stream().map(Reference.Trade::json).collect(Collectors.joining("\n"));
                var response = tandem.ingest("trades", body.getBytes(StandardCharsets.UTF_8), null);
                assertThat(response.accepted()).isEqualTo(chunk.size());
                for (Reference.Trade t : chunk) {
                    acked.add(new Reference.Trade(t.symbol(), t.price(), t.qty(), t.trader(), t.ts(), t.batch(),
                            acked.size()));
                }
                if (restartMidway && from == 0) {
                    // a clean restart between requests: checkpoint, then replay of whatever came after
                    tandem.awaitCaughtUp(Duration.ofSeconds(10));
                    tandem.close();
                    tandem = Tandem.start(TestConfigs.config(3_600_000), options);
                }
            }
            assertThat(tandem.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();

            long g = 60_000L * rollup;
            String symbol = filterSymbol && !trades.isEmpty() ? trades.get(0).symbol() : null;
            QueryResult result = tandem.query(new ViewQuery("trades_1m", T0 - 3_600_000, T0 + 3_600_000, g,
                    symbol == null ? Map.of() : Map.of("symbol", symbol)));
            assertMatches(result, Reference.tradesView(acked, g, symbol));
        } finally {
            tandem.close();
        }
    }

    static void assertMatches(QueryResult result, Map<Long, Map<String, Reference.Expected>> expected) {
        List<String> measures = result.measures();
        List<String> seen = new ArrayList<>();
        for (QueryResult.Row row : result.rows()) {
            String symbol = (String) row.dims().get(0);
            seen.add(row.bucket() + "/" + symbol);
            Reference.Expected e = expected.get(row.bucket()).get(symbol);
            Map<String, Object> v = new java.util.HashMap<>();
            for (int i = 0; i < measures.size(); i++) {
                v.put(measures.get(i), row.values()[i]);
            }
            assertThat(v.get("trades")).isEqualTo(e.trades());
            assertThat(v.get("volume")).isEqualTo(e.volume());
            assertThat((Double) v.get("turnover")).isCloseTo(e.turnover(), within(1e-6));
            assertThat(v.get("high")).isEqualTo(e.high());
            assertThat(v.get("low")).isEqualTo(e.low());
            assertThat(v.get("open")).isEqualTo(e.open());
            assertThat(v.get("close")).isEqualTo(e.close());
            assertThat((Double) v.get("avg_price")).isCloseTo(e.avgPrice(), within(1e-9));
            if (e.varQty() == null) {
                assertThat(v.get("var_qty")).isNull();
            } else {
                assertThat((Double) v.get("var_qty")).isCloseTo(e.varQty(), within(1e-6 * Math.max(1, e.varQty())));
            }
            // HyperLogLog is exact-ish for a handful of values: allow its stated error anyway
            assertThat(((Number) v.get("traders")).doubleValue())
                    .isCloseTo(e.traders(), within(0.05 * e.traders() + 1));
            assertThat(v.get("big")).isEqualTo(e.big());
            if (e.qtys().isEmpty()) {
                assertThat(v.get("p90_qty")).isNull();
            } else {
                // quantile sketch: the answer is an input value whose rank is within the sketch's error of 0.9
                double answer = (Double) v.get("p90_qty");
                long below = e.qtys().stream().filter(q -> q <= answer).count();
                assertThat(e.qtys()).contains((long) answer);
                assertThat((double) below / e.qtys().size()).isCloseTo(0.9, within(0.1 + 1.0 / e.qtys().size()));
            }
        }
        List<String> want = new ArrayList<>();
        expected.forEach((bucket, bySymbol) -> bySymbol.keySet().forEach(s -> want.add(bucket + "/" + s)));
        assertThat(seen).containsExactlyElementsOf(want);
        assertThat(result.rows()).isSortedAccordingTo(Comparator.comparingLong(QueryResult.Row::bucket)
                .thenComparing(QueryResult.Row::dims));
    }

    @Provide
    Arbitrary<List<Reference.Trade>> trades() {
        Arbitrary<String> symbols = Arbitraries.of("AAPL", "MSFT", "ZVZZT", "Ümlaut");
        Arbitrary<Double> prices = Arbitraries.integers().between(1, 100_000).map(c -> c / 100.0);
        Arbitrary<Long> qtys = Arbitraries.longs().between(1, 100).injectNull(0.1);
        Arbitrary<String> traders = Arbitraries.of("t1", "t2", "t3", "t4", "t5", "t6");
        // event times spread over ten minutes around T0, in any order: out-of-order and late events included
        Arbitrary<Long> times = Arbitraries.longs().between(T0 - 300_000, T0 + 300_000);
        Arbitrary<Reference.Trade> trade = Combinators.combine(symbols, prices, qtys, traders, times)
                .as((s, p, q, t, ts) -> new Reference.Trade(s, p, q, t, ts, 0, 0));
        return trade.list().ofMinSize(0).ofMaxSize(300);
    }
}
