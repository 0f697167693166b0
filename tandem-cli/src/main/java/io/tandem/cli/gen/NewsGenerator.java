package io.tandem.cli.gen;

import io.tandem.core.time.Timestamps;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The demo's company news: headlines about the market's symbols, for a stream with the string fields
 * {@code headline}, {@code symbol} and {@code source}. Each headline is one of a dozen templates (mergers, profit
 * warnings, dividends, probes...) filled with one or two symbols, the more traded ones more often; the source is
 * {@code wire}, {@code filing}, {@code blog} or {@code exchange}. Deterministic for a seed; not thread-safe.
 */
public final class NewsGenerator {

    private static final String[] TEMPLATES = {
        "%s agrees merger with %s", "%s issues profit warning", "%s beats earnings estimates",
        "%s raises dividend", "%s recalls products after complaints", "Regulator opens probe into %s",
        "%s names new chief executive", "%s shares halted pending news", "Analysts upgrade %s to buy",
        "Analysts downgrade %s to sell", "%s wins contract from %s", "%s announces share buyback"};
    private static final String[] SOURCES = {"wire", "filing", "blog", "exchange"};

    private final List<String> symbols;
    private final SplittableRandom random;

    /** @param symbols the tickers, most traded first (as {@link MarketGenerator#symbols()} gives them) */
    public NewsGenerator(List<String> symbols, long seed) {
        if (symbols.isEmpty()) {
            throw new IllegalArgumentException("symbols: expected at least one");
        }
        this.symbols = List.copyOf(symbols);
        this.random = new SplittableRandom(seed);
    }

    /**
     * The next news item, at {@code eventTimeMs}, as one NDJSON line without the line break, e.g.
     * {@code {"ts":"2026-01-01T09:30:00.125Z","headline":"QXV raises dividend","symbol":"QXV","source":"wire"}}.
     */
    public String nextJson(String timeField, long eventTimeMs) {
        String symbol = symbol();
        String template = TEMPLATES[random.nextInt(TEMPLATES.length)];
        String other = symbol();
        String headline = template.indexOf("%s") == template.lastIndexOf("%s") ? String.format(template, symbol)
                : String.format(template, symbol, other);
        return "{\"" + timeField + "\":\"" + Timestamps.format(eventTimeMs) + "\",\"headline\":\"" + headline
                + "\",\"symbol\":\"" + symbol + "\",\"source\":\"" + SOURCES[random.nextInt(SOURCES.length)] + "\"}";
    }

    /** A symbol, the first ones (the most traded) more often: the square of a uniform draw leans to the front. */
    private String symbol() {
        double u = random.nextDouble();
        return symbols.get(Math.min(symbols.size() - 1, (int) (u * u * symbols.size())));
    }
}
