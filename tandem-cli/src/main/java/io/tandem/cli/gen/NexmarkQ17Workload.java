package io.tandem.cli.gen;

import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.MeasureDef;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.UnknownFields;
import io.tandem.core.ViewDef;
import io.tandem.core.codec.RowCodec;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code nexmark-q17}: N auction bids over two days, viewed per auction per day (the shape of NEXMark query 17).
 *
 * <pre>
 * ts      = T0 + b * spanMs / N                          T0 = 2026-01-01T00:00:00Z, spanMs = 2 days
 * last    = (b / 46) * 3 + 2                             the newest auction when NEXMark emits bid b
 * auction = (last / 100) * 100                           when bounded(draw(b, 0), 2) &gt; 0 (the hot auction)
 *         = lo + bounded(draw(b, 1), last + 10 - lo + 1) otherwise, lo = max(last - 100, 0)
 *         + 1000
 * price   = round(10^(6 * unit(draw(b, 2))) * 100)       in [100, 100,000,000]
 * </pre>
 *
 * Bid b is NEXMark event {@code (b / 46) * 50 + 4 + b % 46} of the default configuration (1 person, 3 auctions and
 * 46 bids in every 50 events; hot auction ratio 2; 100 auctions in flight; auction id lead 10). Stateless:
 * thread-safe and order-independent.
 */
public final class NexmarkQ17Workload implements Workload {

    public static final String NAME = "nexmark-q17";
    public static final long DEFAULT_EVENTS = 10_000_000L;
    public static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    public static final long SPAN_MS = 2 * 86_400_000L;

    /** Field indexes in {@link #stream()}. */
    public static final int AUCTION = 0;
    public static final int PRICE = 1;

    private static final long FIRST_AUCTION_ID = 1000;
    private static final int BIDS_PER_EPOCH = 46;
    private static final int AUCTIONS_PER_EPOCH = 3;
    private static final int HOT_AUCTION_RATIO = 100;
    private static final int IN_FLIGHT_AUCTIONS = 100;
    private static final int AUCTION_ID_LEAD = 10;

    private final long n;
    private final CounterRandom random;
    private final StreamDef stream;
    private final ViewDef view;

    public NexmarkQ17Workload(long n, long seed) {
        if (n <= 0 || n > Long.MAX_VALUE / SPAN_MS) {
            throw new IllegalArgumentException("nexmark-q17: events must be in [1, " + Long.MAX_VALUE / SPAN_MS
                    + "], got " + n);
        }
        this.n = n;
        this.random = new CounterRandom(seed);
        this.stream = new StreamDef("bids", "ts", TandemConfig.DEFAULT_LATENESS_MS, List.of(
                new FieldDef("auction", FieldType.LONG),
                new FieldDef("price", FieldType.LONG)), UnknownFields.REJECT);
        Map<String, MeasureDef> measures = new LinkedHashMap<>();
        for (MeasureDef m : List.of(
                new MeasureDef("bids", "count", null, null, null),
                new MeasureDef("rank1", "count", null, null, "price < 10000"),
                new MeasureDef("rank2", "count", null, null, "price >= 10000 && price < 1000000"),
                new MeasureDef("rank3", "count", null, null, "price >= 1000000"),
                new MeasureDef("min_price", "min", "price", null, null),
                new MeasureDef("max_price", "max", "price", null, null),
                new MeasureDef("avg_price", "mean", "price", null, null),
                new MeasureDef("sum_price", "sum", "price", null, null))) {
            measures.put(m.name(), m);
        }
        this.view = new ViewDef("nexmark_q17", stream.name(), List.of("auction"), 86_400_000L, null, measures);
    }

    /** The published configuration: N = 10,000,000, seed 42. */
    public NexmarkQ17Workload() {
        this(DEFAULT_EVENTS, DEFAULT_SEED);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StreamDef stream() {
        return stream;
    }

    @Override
    public ViewDef view() {
        return view;
    }

    @Override
    public long events() {
        return n;
    }

    @Override
    public void generate(long b, RowCodec.Builder out) {
        Objects.checkIndex(b, n);
        long last = (b / BIDS_PER_EPOCH) * AUCTIONS_PER_EPOCH + AUCTIONS_PER_EPOCH - 1;
        long auction;
        if (CounterRandom.bounded(random.draw(b, 0), 2) > 0) {
            auction = (last / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO;
        } else {
            long lo = Math.max(last - IN_FLIGHT_AUCTIONS, 0);
            auction = lo + CounterRandom.bounded(random.draw(b, 1), last + AUCTION_ID_LEAD - lo + 1);
        }
        long price = Math.round(Math.pow(10, 6 * CounterRandom.unit(random.draw(b, 2))) * 100);
        out.reset(T0 + b * SPAN_MS / n)
                .setLong(AUCTION, auction + FIRST_AUCTION_ID)
                .setLong(PRICE, price);
    }
}
