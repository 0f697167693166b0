package io.tandem.cli.gen;

import io.tandem.core.GroupKey;
import io.tandem.core.codec.BinaryRow;
import io.tandem.core.codec.RowCodec;
import io.tandem.core.time.Timestamps;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The expected view of a benchmark workload, computed naively: every event is generated in order, encoded,
 * decoded with {@link BinaryRow} and folded into a plain accumulator per (dims, bucket). Engines are checked
 * against this.
 *
 * <p>Results follow {@code Measure.result}: counts and sums of long fields are Longs, min and max keep the
 * field's type, means are Doubles. First and last are by event time, ties broken by arrival (g) order. Means and
 * double sums are summed in g order, so compare them with a tolerance to an engine that merges in another order.
 */
public final class ReferenceView {

    /** One result row's key: the group-by values and the bucket's start, epoch milliseconds. */
    public record Cell(GroupKey dims, long bucketStart) {
    }

    private ReferenceView() {
    }

    /** The {@code ohlcv_1m} view of {@code w}, measure values by measure name. */
    public static Map<Cell, Map<String, Object>> ohlcv(OhlcvWorkload w) {
        Map<Cell, Bar> bars = new HashMap<>();
        RowCodec codec = new RowCodec(w.stream());
        RowCodec.Builder builder = codec.builder();
        BinaryRow row = codec.reader();
        long granularity = w.view().granularityMs();
        for (long g = 0; g < w.events(); g++) {
            w.generate(g, builder);
            byte[] payload = builder.encode();
            row.reset(payload, 0, payload.length, 0, g);
            Cell cell = new Cell(GroupKey.of(row.getString(OhlcvWorkload.SYMBOL)),
                    Timestamps.bucketStart(row.eventTime(), granularity));
            bars.computeIfAbsent(cell, c -> new Bar()).add(row.eventTime(), row.getDouble(OhlcvWorkload.PRICE),
                    row.getLong(OhlcvWorkload.QTY));
        }
        Map<Cell, Map<String, Object>> result = new HashMap<>();
        bars.forEach((cell, bar) -> result.put(cell, bar.result()));
        return result;
    }

    /** The {@code nexmark_q17} view of {@code w}, measure values by measure name. */
    public static Map<Cell, Map<String, Object>> nexmarkQ17(NexmarkQ17Workload w) {
        Map<Cell, AuctionDay> days = new HashMap<>();
        RowCodec codec = new RowCodec(w.stream());
        RowCodec.Builder builder = codec.builder();
        BinaryRow row = codec.reader();
        long granularity = w.view().granularityMs();
        for (long b = 0; b < w.events(); b++) {
            w.generate(b, builder);
            byte[] payload = builder.encode();
            row.reset(payload, 0, payload.length, 0, b);
            Cell cell = new Cell(GroupKey.of(row.getLong(NexmarkQ17Workload.AUCTION)),
                    Timestamps.bucketStart(row.eventTime(), granularity));
            days.computeIfAbsent(cell, c -> new AuctionDay()).add(row.getLong(NexmarkQ17Workload.PRICE));
        }
        Map<Cell, Map<String, Object>> result = new HashMap<>();
        days.forEach((cell, day) -> result.put(cell, day.result()));
        return result;
    }

    private static final class Bar {
        long trades;
        long volume;
        double high = Double.NEGATIVE_INFINITY;
        double low = Double.POSITIVE_INFINITY;
        long openTime = Long.MAX_VALUE;
        double open;
        long closeTime = Long.MIN_VALUE;
        double close;
        double priceSum;

        void add(long ts, double price, long qty) {
            trades++;
            volume += qty;
            high = Math.max(high, price);
            low = Math.min(low, price);
            if (ts < openTime) {
                openTime = ts;
                open = price;
            }
            if (ts >= closeTime) {
                closeTime = ts;
                close = price;
            }
            priceSum += price;
        }

        Map<String, Object> result() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("trades", trades);
            m.put("volume", volume);
            m.put("high", high);
            m.put("low", low);
            m.put("open", open);
            m.put("close", close);
            m.put("avg_price", priceSum / trades);
            return m;
        }
    }

    private static final class AuctionDay {
        long bids;
        long rank1;
        long rank2;
        long rank3;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        long sum;

        void add(long price) {
            bids++;
            if (price < 10_000) {
                rank1++;
            } else if (price < 1_000_000) {
                rank2++;
            } else {
                rank3++;
            }
            min = Math.min(min, price);
            max = Math.max(max, price);
            sum += price;
        }

        Map<String, Object> result() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bids", bids);
            m.put("rank1", rank1);
            m.put("rank2", rank2);
            m.put("rank3", rank3);
            m.put("min_price", min);
            m.put("max_price", max);
            m.put("avg_price", (double) sum / bids);
            m.put("sum_price", sum);
            return m;
        }
    }
}
