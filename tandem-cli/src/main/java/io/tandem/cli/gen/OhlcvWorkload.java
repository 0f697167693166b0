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
 * {@code ohlcv-1m}: N market trades over K = 1000 symbols in one hour, viewed as 1-minute OHLCV bars per symbol.
 *
 * <pre>
 * symbol = bounded(draw(g, 0), K)                                        named S0000 .. S0999
 * ts     = T0 + clamp(g * spanMs / N + bounded(draw(g, 1), 4001) - 2000, 0, spanMs - 1)
 * qty    = 1 + bounded(draw(g, 2), 1000)
 * price  = the symbol's walk after this event's step:
 *          start[s] = 20 + 980 * unit(draw(s, 4))                        uniform in [20, 1000)
 *          price[s] *= 1 + 1e-4 * sqrt(3) * (2 * unit(draw(g, 3)) - 1)   stepped in g order
 * </pre>
 *
 * T0 = 2026-01-01T00:00:00Z, spanMs = one hour. The price of event g depends on every earlier event of the same
 * symbol. Each thread keeps its own walk: calls with g increasing by one cost one step each, a jump forward replays
 * the skipped steps (a few nanoseconds each, no encoding), a jump backward replays from event 0. The values are
 * the same in every case, so the generator is thread-safe and order-independent; for speed give each thread one
 * contiguous range.
 */
public final class OhlcvWorkload implements Workload {

    public static final String NAME = "ohlcv-1m";
    public static final long DEFAULT_EVENTS = 10_000_000L;
    public static final int SYMBOLS = 1000;
    public static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    public static final long SPAN_MS = 3_600_000L;

    /** Field indexes in {@link #stream()}. */
    public static final int SYMBOL = 0;
    public static final int PRICE = 1;
    public static final int QTY = 2;

    private static final long JITTER_MS = 2000;
    private static final double STEP = 1e-4 * Math.sqrt(3);

    private final long n;
    private final CounterRandom random;
    private final String[] symbolNames = new String[SYMBOLS];
    private final double[] startPrices = new double[SYMBOLS];
    private final ThreadLocal<Walk> walks = ThreadLocal.withInitial(Walk::new);
    private final StreamDef stream;
    private final ViewDef view;

    public OhlcvWorkload(long n, long seed) {
        if (n <= 0 || n > Long.MAX_VALUE / SPAN_MS) {
            throw new IllegalArgumentException("ohlcv-1m: events must be in [1, " + Long.MAX_VALUE / SPAN_MS
                    + "], got " + n);
        }
        this.n = n;
        this.random = new CounterRandom(seed);
        for (int s = 0; s < SYMBOLS; s++) {
            symbolNames[s] = String.format("S%04d", s);
            startPrices[s] = 20 + 980 * CounterRandom.unit(random.draw(s, 4));
        }
        this.stream = new StreamDef("trades", "ts", TandemConfig.DEFAULT_LATENESS_MS, List.of(
                new FieldDef("symbol", FieldType.STRING),
                new FieldDef("price", FieldType.DOUBLE),
                new FieldDef("qty", FieldType.LONG)), UnknownFields.REJECT);
        Map<String, MeasureDef> measures = new LinkedHashMap<>();
        for (MeasureDef m : List.of(
                new MeasureDef("trades", "count", null, null, null),
                new MeasureDef("volume", "sum", "qty", null, null),
                new MeasureDef("high", "max", "price", null, null),
                new MeasureDef("low", "min", "price", null, null),
                new MeasureDef("open", "first", "price", null, null),
                new MeasureDef("close", "last", "price", null, null),
                new MeasureDef("avg_price", "mean", "price", null, null))) {
            measures.put(m.name(), m);
        }
        this.view = new ViewDef("ohlcv_1m", stream.name(), List.of("symbol"), 60_000L, null, measures);
    }

    /** The published configuration: N = 10,000,000, seed 42. */
    public OhlcvWorkload() {
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

    /** The name of symbol {@code s}, {@code S0000} .. {@code S0999}. */
    public String symbolName(int s) {
        return symbolNames[Objects.checkIndex(s, SYMBOLS)];
    }

    @Override
    public void generate(long g, RowCodec.Builder out) {
        Objects.checkIndex(g, n);
        int s = symbol(g);
        double price = walks.get().priceAfter(g, s);
        long offset = g * SPAN_MS / n + CounterRandom.bounded(random.draw(g, 1), 2 * JITTER_MS + 1) - JITTER_MS;
        long ts = T0 + Math.max(0, Math.min(SPAN_MS - 1, offset));
        long qty = 1 + CounterRandom.bounded(random.draw(g, 2), 1000);
        out.reset(ts)
                .setString(SYMBOL, symbolNames[s])
                .setDouble(PRICE, price)
                .setLong(QTY, qty);
    }

    private int symbol(long g) {
        return (int) CounterRandom.bounded(random.draw(g, 0), SYMBOLS);
    }

    private double step(long g) {
        return 1 + STEP * (2 * CounterRandom.unit(random.draw(g, 3)) - 1);
    }

    /** One thread's position in the price walk: the prices after events {@code 0 .. next - 1}. */
    private final class Walk {
        private final double[] prices = startPrices.clone();
        private long next;

        double priceAfter(long g, int s) {
            if (g < next) {
                System.arraycopy(startPrices, 0, prices, 0, SYMBOLS);
                next = 0;
            }
            for (; next < g; next++) {
                prices[symbol(next)] *= step(next);
            }
            prices[s] *= step(g);
            next = g + 1;
            return prices[s];
        }
    }
}
