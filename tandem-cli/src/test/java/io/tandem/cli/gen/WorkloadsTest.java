package io.tandem.cli.gen;

import io.tandem.core.MeasureDef;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class WorkloadsTest {

    private static final long N = 10_000_000L;

    @Test
    void when_sameEventIsGeneratedByTwoInstancesInDifferentOrders_then_bytesAreIdentical() {
        for (String name : Workloads.NAMES) {
            Workload sequential = Workloads.byName(name, 100_000, Workload.DEFAULT_SEED);
            Workload scattered = Workloads.byName(name, 100_000, Workload.DEFAULT_SEED);
            byte[][] expected = generate(sequential, 0, 100_000);
            // The second instance starts in the middle, jumps forward, then goes back to the start.
            long[] order = {50_000, 50_001, 99_999, 7, 8, 0, 73_210, 73_209};
            RowCodec.Builder builder = new RowCodec(scattered.stream()).builder();
            for (long g : order) {
                scattered.generate(g, builder);
                assertThat(builder.encode()).as("%s event %d", name, g).isEqualTo(expected[(int) g]);
            }
        }
    }

    @Test
    void when_rangesAreGeneratedOnSeveralThreads_then_eventsEqualSequentialGeneration() throws Exception {
        OhlcvWorkload shared = new OhlcvWorkload(200_000, Workload.DEFAULT_SEED);
        byte[][] expected = generate(new OhlcvWorkload(200_000, Workload.DEFAULT_SEED), 0, 200_000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<byte[][]>> parts = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                long from = p * 50_000L;
                parts.add(pool.submit(() -> generate(shared, from, from + 50_000)));
            }
            for (int p = 0; p < 4; p++) {
                assertThat(parts.get(p).get()).isEqualTo(Arrays.copyOfRange(expected, p * 50_000, (p + 1) * 50_000));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void when_seedDiffers_then_eventsDiffer() {
        byte[][] a = generate(new NexmarkQ17Workload(1000, 42), 0, 1000);
        byte[][] b = generate(new NexmarkQ17Workload(1000, 43), 0, 1000);
        assertThat(Arrays.deepEquals(a, b)).isFalse();
    }

    @Test
    void ohlcvValuesAreInRange() {
        OhlcvWorkload w = new OhlcvWorkload(N, Workload.DEFAULT_SEED);
        RowCodec codec = new RowCodec(w.stream());
        RowCodec.Builder builder = codec.builder();
        BinaryRow row = codec.reader();
        for (long g = 0; g < 200_000; g++) {
            w.generate(g, builder);
            byte[] p = builder.encode();
            row.reset(p, 0, p.length, 0, g);
            String symbol = row.getString(OhlcvWorkload.SYMBOL);
            assertThat(symbol).matches("S\\d{4}");
            assertThat(Integer.parseInt(symbol.substring(1))).isBetween(0, OhlcvWorkload.SYMBOLS - 1);
            assertThat(row.eventTime()).isBetween(OhlcvWorkload.T0, OhlcvWorkload.T0 + OhlcvWorkload.SPAN_MS - 1);
            assertThat(row.eventTime() - OhlcvWorkload.T0).isBetween(g * OhlcvWorkload.SPAN_MS / N - 2000,
                    g * OhlcvWorkload.SPAN_MS / N + 2000);
            assertThat(row.getLong(OhlcvWorkload.QTY)).isBetween(1L, 1000L);
            assertThat(row.getDouble(OhlcvWorkload.PRICE)).isPositive().isLessThan(2000.0);
        }
        // The last events are clamped into the hour.
        w.generate(N - 1, builder);
        byte[] p = builder.encode();
        assertThat(row.reset(p, 0, p.length, 0, 0).eventTime()).isLessThan(OhlcvWorkload.T0 + OhlcvWorkload.SPAN_MS);
    }

    @Test
    void nexmarkValuesAreInRange() {
        NexmarkQ17Workload w = new NexmarkQ17Workload(N, Workload.DEFAULT_SEED);
        RowCodec codec = new RowCodec(w.stream());
        RowCodec.Builder builder = codec.builder();
        BinaryRow row = codec.reader();
        for (long b = 0; b < N; b += 37) {
            w.generate(b, builder);
            byte[] p = builder.encode();
            row.reset(p, 0, p.length, 0, b);
            long last = (b / 46) * 3 + 2;
            assertThat(row.getLong(NexmarkQ17Workload.AUCTION) - 1000).isBetween(Math.max(last - 100, 0), last + 10);
            assertThat(row.getLong(NexmarkQ17Workload.PRICE)).isBetween(100L, 100_000_000L);
            assertThat(row.eventTime()).isEqualTo(NexmarkQ17Workload.T0 + b * NexmarkQ17Workload.SPAN_MS / N);
        }
    }

    @Test
    void ohlcvViewHasOneBarPerSymbolAndMinute() {
        Map<ReferenceView.Cell, Map<String, Object>> bars = ReferenceView.ohlcv(new OhlcvWorkload());
        assertThat(bars).hasSize(60_000);
        assertThat(bars.values().stream().mapToLong(m -> (Long) m.get("trades")).sum()).isEqualTo(N);
        assertThat(bars.values()).allSatisfy(m -> {
            assertThat((Double) m.get("low")).isLessThanOrEqualTo((Double) m.get("avg_price"));
            assertThat((Double) m.get("avg_price")).isLessThanOrEqualTo((Double) m.get("high"));
        });
    }

    @Test
    void nexmarkQ17ViewHasThePublishedNumberOfRows() {
        Map<ReferenceView.Cell, Map<String, Object>> rows = ReferenceView.nexmarkQ17(new NexmarkQ17Workload());
        // BENCH-WORKLOADS.md publishes 651,938 rows, measured with a counter mix it does not name. The number of
        // (auction, day) pairs that get at least one bid depends on the draws: over seeds 1..10 this generator
        // gives 651,907 .. 651,982. Seed 42 gives 651,965: pinned here, and checked to be within that spread of the
        // published figure.
        assertThat(rows).hasSize(651_965);
        assertThat((long) rows.size()).isCloseTo(651_938L, within(100L));
        assertThat(rows.values().stream().mapToLong(m -> (Long) m.get("bids")).sum()).isEqualTo(N);
    }

    @Test
    void viewsDeclareThePublishedMeasures() {
        assertThat(new OhlcvWorkload(1, 42).view().measures().keySet())
                .containsExactly("trades", "volume", "high", "low", "open", "close", "avg_price");
        Map<String, MeasureDef> q17 = new NexmarkQ17Workload(1, 42).view().measures();
        assertThat(q17.keySet()).containsExactly("bids", "rank1", "rank2", "rank3", "min_price", "max_price",
                "avg_price", "sum_price");
        assertThat(q17.get("rank2")).isEqualTo(
                new MeasureDef("rank2", "count", null, null, "price >= 10000 && price < 1000000"));
    }

    @Test
    void when_workloadNameIsUnknown_then_errorListsTheValidNames() {
        assertThatThrownBy(() -> Workloads.byName("tpch", 10, 42))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown workload \"tpch\": expected one of ohlcv-1m, nexmark-q17");
        assertThat(Workloads.byName("nexmark-q17", 10, 42).events()).isEqualTo(10);
    }

    @Test
    void when_eventNumberIsOutOfRange_then_generateThrows() {
        Workload w = new OhlcvWorkload(10, 42);
        RowCodec.Builder builder = new RowCodec(w.stream()).builder();
        assertThatThrownBy(() -> w.generate(10, builder)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new NexmarkQ17Workload(0, 42)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[][] generate(Workload w, long from, long to) {
        RowCodec.Builder builder = new RowCodec(w.stream()).builder();
        byte[][] out = new byte[(int) (to - from)][];
        for (long g = from; g < to; g++) {
            w.generate(g, builder);
            out[(int) (g - from)] = builder.encode();
        }
        return out;
    }
}
