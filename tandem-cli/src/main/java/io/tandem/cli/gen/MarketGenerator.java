package io.tandem.cli.gen;

import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.UnknownFields;
import io.tandem.core.codec.RowCodec;
import io.tandem.core.time.Timestamps;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The demo's built-in market: an endless, deterministic flow of plausible trades for a stream with the fields
 * {@code symbol} (string), {@code price} (double), {@code qty} (long) and {@code trader} (string).
 *
 * <ul>
 *   <li>Symbols are 3–4 letter tickers drawn from the seed; popularity follows Zipf's law (the most traded symbol
 *       takes about 13% of 1000 symbols' trades), and now and then one symbol has a burst of volume: for a few
 *       thousand trades it takes 30% of all trades: a spike in that symbol's volume.</li>
 *   <li>Now and then (probability {@link #SHIFT_START_PROBABILITY} per trade) one of the ten most traded symbols
 *       trades {@link #SHIFT_FACTOR} times its usual sizes for the next {@link #SHIFT_TRADES} trades (about five
 *       minutes at the demo's 5,000 trades/s): a level shift in its volume, up and back, for the analyses to find.
 *       </li>
 *   <li>Each price is a geometric random walk (log-return 0.02% per trade, normal) from a start that is log-uniform
 *       in [5, 500), quoted in cents. With probability {@link #JUMP_PROBABILITY} per trade the price jumps by 2–8%
 *       up or down, so a "price moved 2%" alert fires every so often.</li>
 *   <li>Sizes are heavy-tailed: 90% odd lots from 1 to 500 (log-uniform), 9.5% round lots of 1,000–9,900, 0.5%
 *       blocks of 10,000–500,000 in thousands.</li>
 *   <li>Trades come from {@link #TRADERS} trader ids {@code T000} .. {@code T299}.</li>
 * </ul>
 *
 * The randomness is counter-based ({@link CounterRandom}) over the trade number, but prices and bursts carry state
 * from one trade to the next: an instance produces one sequence and is not thread-safe.
 */
public final class MarketGenerator {

    public static final int DEFAULT_SYMBOLS = 1000;
    public static final int TRADERS = 300;
    /** The chance per trade that the traded symbol's price jumps by 2–8%. */
    public static final double JUMP_PROBABILITY = 1e-4;

    /** The chance per trade that a volume level shift starts. */
    public static final double SHIFT_START_PROBABILITY = 5e-7;
    public static final long SHIFT_FACTOR = 4;
    public static final long SHIFT_TRADES = 1_500_000;

    private static final int MAX_SYMBOLS = 100_000;
    private static final int SHIFT_SYMBOLS = 10;
    private static final double VOLATILITY = 2e-4;
    private static final double BURST_START_PROBABILITY = 2e-5;
    private static final double BURST_SHARE = 0.3;

    private final CounterRandom random;
    private final String[] tickers;
    private final double[] prices;
    private final double[] popularity;
    private final String[] traders = new String[TRADERS];
    private final int symbolField;
    private final int priceField;
    private final int qtyField;
    private final int traderField;
    private final String timeField;
    private final StringBuilder json = new StringBuilder(128);

    private long trade;
    private int burstSymbol = -1;
    private long burstEnd;
    private int shiftSymbol = -1;
    private long shiftEnd;
    private int symbol;
    private double price;
    private long qty;
    private int trader;

    /** A market for the built-in stream {@link #defaultStream()}. */
    public MarketGenerator(int symbols, long seed) {
        this(defaultStream(), symbols, seed);
    }

    /**
     * A market for {@code stream}, which must declare {@code symbol} and {@code trader} as strings, {@code price}
     * as a double and {@code qty} as a long; other fields are left null.
     *
     * @throws IllegalArgumentException naming the missing or mistyped field, or a symbol count out of range
     */
    public MarketGenerator(StreamDef stream, int symbols, long seed) {
        if (symbols < 1 || symbols > MAX_SYMBOLS) {
            throw new IllegalArgumentException("symbols must be in [1, " + MAX_SYMBOLS + "], got " + symbols);
        }
        this.symbolField = field(stream, "symbol", FieldType.STRING);
        this.priceField = field(stream, "price", FieldType.DOUBLE);
        this.qtyField = field(stream, "qty", FieldType.LONG);
        this.traderField = field(stream, "trader", FieldType.STRING);
        this.timeField = stream.timeField();
        this.random = new CounterRandom(seed);
        CounterRandom setup = new CounterRandom(CounterRandom.splitMix64(seed));
        this.tickers = tickers(setup, symbols);
        this.prices = new double[symbols];
        this.popularity = new double[symbols];
        double total = 0;
        for (int s = 0; s < symbols; s++) {
            prices[s] = 5 * Math.exp(Math.log(100) * CounterRandom.unit(setup.draw(s, 8)));
            total += 1.0 / (s + 1);
            popularity[s] = total;
        }
        for (int s = 0; s < symbols; s++) {
            popularity[s] /= total;
        }
        for (int t = 0; t < TRADERS; t++) {
            traders[t] = String.format("T%03d", t);
        }
    }

    /** The stream of the bundled example: {@code trades(symbol, price, qty, trader)}, event time {@code ts}. */
    public static StreamDef defaultStream() {
        return new StreamDef("trades", "ts", TandemConfig.DEFAULT_LATENESS_MS, List.of(
                new FieldDef("symbol", FieldType.STRING),
                new FieldDef("price", FieldType.DOUBLE),
                new FieldDef("qty", FieldType.LONG),
                new FieldDef("trader", FieldType.STRING)), UnknownFields.REJECT);
    }

    /** The tickers, most traded first. */
    public List<String> symbols() {
        return List.of(tickers);
    }

    /** Encodes the next trade, at {@code eventTimeMs}, into {@code out} (a builder of the stream's codec). */
    public void next(long eventTimeMs, RowCodec.Builder out) {
        advance();
        out.reset(eventTimeMs)
                .setString(symbolField, tickers[symbol])
                .setDouble(priceField, price)
                .setLong(qtyField, qty)
                .setString(traderField, traders[trader]);
    }

    /**
     * The next trade, at {@code eventTimeMs}, as one NDJSON line without the line break, e.g.
     * {@code {"ts":"2026-01-01T09:30:00.125Z","symbol":"QXV","price":101.25,"qty":300,"trader":"T042"}}.
     */
    public String nextJson(long eventTimeMs) {
        advance();
        json.setLength(0);
        json.append("{\"").append(timeField).append("\":\"").append(Timestamps.format(eventTimeMs))
                .append("\",\"symbol\":\"").append(tickers[symbol])
                .append("\",\"price\":").append(price)
                .append(",\"qty\":").append(qty)
                .append(",\"trader\":\"").append(traders[trader]).append("\"}");
        return json.toString();
    }

    private void advance() {
        long t = trade++;
        if (t >= burstEnd) {
            burstSymbol = -1;
            if (CounterRandom.unit(random.draw(t, 0)) < BURST_START_PROBABILITY) {
                burstSymbol = (int) CounterRandom.bounded(random.draw(t, 1), tickers.length);
                burstEnd = t + 2000 + CounterRandom.bounded(random.draw(t, 2), 8000);
            }
        }
        if (t >= shiftEnd) {
            shiftSymbol = -1;
            if (CounterRandom.unit(random.draw(t, 12)) < SHIFT_START_PROBABILITY) {
                shiftSymbol = (int) CounterRandom.bounded(random.draw(t, 13), Math.min(SHIFT_SYMBOLS, tickers.length));
                shiftEnd = t + SHIFT_TRADES;
            }
        }
        double pick = CounterRandom.unit(random.draw(t, 3));
        if (burstSymbol >= 0 && pick < BURST_SHARE) {
            symbol = burstSymbol;
        } else {
            int i = Arrays.binarySearch(popularity, CounterRandom.unit(random.draw(t, 4)));
            symbol = Math.min(i >= 0 ? i + 1 : -i - 1, tickers.length - 1);
        }
        double u1 = CounterRandom.unit(random.draw(t, 5));
        double u2 = CounterRandom.unit(random.draw(t, 6));
        double normal = Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
        double p = prices[symbol] * Math.exp(VOLATILITY * normal);
        long jump = random.draw(t, 7);
        if (CounterRandom.unit(jump) < JUMP_PROBABILITY) {
            double size = 0.02 + 0.06 * CounterRandom.unit(random.draw(t, 8));
            p *= (jump & 1) == 0 ? 1 + size : 1 - size;
        }
        prices[symbol] = p;
        price = Math.max(0.01, Math.round(p * 100) / 100.0);
        qty = symbol == shiftSymbol ? SHIFT_FACTOR * size(t) : size(t);
        trader = (int) CounterRandom.bounded(random.draw(t, 11), TRADERS);
    }

    private long size(long t) {
        double kind = CounterRandom.unit(random.draw(t, 9));
        long r = random.draw(t, 10);
        if (kind < 0.90) {
            return Math.round(Math.exp(Math.log(500) * CounterRandom.unit(r)));
        }
        if (kind < 0.995) {
            return 1000 + 100 * CounterRandom.bounded(r, 90);
        }
        double pareto = Math.pow(1 - CounterRandom.unit(r), -1 / 1.5);
        return Math.min(500, Math.round(10 * pareto)) * 1000;
    }

    private static String[] tickers(CounterRandom setup, int symbols) {
        String[] out = new String[symbols];
        Set<String> seen = new HashSet<>();
        long attempt = 0;
        for (int s = 0; s < symbols; attempt++) {
            int length = 3 + (int) CounterRandom.bounded(setup.draw(attempt, 0), 2);
            char[] letters = new char[length];
            for (int i = 0; i < length; i++) {
                letters[i] = (char) ('A' + CounterRandom.bounded(setup.draw(attempt, 1 + i), 26));
            }
            String ticker = new String(letters);
            if (seen.add(ticker)) {
                out[s++] = ticker;
            }
        }
        return out;
    }

    private static int field(StreamDef stream, String name, FieldType type) {
        int i = stream.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("stream " + stream.name() + " has no field \"" + name
                    + "\" that the market generator fills (fields: " + stream.fieldNames() + ")");
        }
        if (stream.field(i).type() != type) {
            throw new IllegalArgumentException("stream " + stream.name() + ": field \"" + name + "\" must be "
                    + type.configName() + " for the market generator, got " + stream.field(i).type().configName());
        }
        return i;
    }
}
