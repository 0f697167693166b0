package io.tandem.engine;

import io.tandem.core.time.Timestamps;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The plain reference computation the engine is checked against: a few obvious lines per measure. */
final class Reference {

    /** One acknowledged trade; {@code order} is its position in arrival order. */
    record Trade(String symbol, double price, Long qty, String trader, long ts, long batch, long order) {
        String json() {
            return "{\"symbol\":\"" + symbol + "\",\"price\":" + price + ",\"qty\":" + qty + ",\"trader\":\"" + trader
                    + "\",\"batch\":" + batch + ",\"ts\":" + ts + "}";
        }
    }

    /** The expected row of one (bucket, symbol). */
    record Expected(long trades, Long volume, Double turnover, Double high, Double low, Double open, Double close,
                    Double avgPrice, Double varQty, long traders, List<Long> qtys, long big) {
    }

    private Reference() {
    }

    static Map<Long, Map<String, Expected>> tradesView(List<Trade> trades, long granularityMs, String symbol) {
        Map<Long, Map<String, List<Trade>>> groups = new TreeMap<>();
        for (Trade t : trades) {
            if (symbol == null || symbol.equals(t.symbol())) {
                groups.computeIfAbsent(Timestamps.bucketStart(t.ts(), granularityMs), b -> new TreeMap<>())
                        .computeIfAbsent(t.symbol(), s -> new ArrayList<>()).add(t);
            }
        }
        Map<Long, Map<String, Expected>> out = new TreeMap<>();
        groups.forEach((bucket, bySymbol) -> bySymbol.forEach((s, list) ->
                out.computeIfAbsent(bucket, b -> new TreeMap<>()).put(s, expected(list))));
        return out;
    }

    private static Expected expected(List<Trade> list) {
        List<Long> qtys = list.stream().map(Trade::qty).filter(Objects::nonNull).sorted().toList();
        Comparator<Trade> byTime = Comparator.comparingLong(Trade::ts).thenComparingLong(Trade::order);
        Trade first = list.stream().min(byTime).orElseThrow();
        Trade last = list.stream().max(byTime).orElseThrow();
        double mean = qtys.stream().mapToDouble(Long::doubleValue).average().orElse(Double.NaN);
        Double variance = qtys.isEmpty() ? null
                : qtys.stream().mapToDouble(q -> (q - mean) * (q - mean)).sum() / qtys.size();
        return new Expected(list.size(),
                qtys.isEmpty() ? null : qtys.stream().mapToLong(Long::longValue).sum(),
                list.stream().mapToDouble(Trade::price).sum(),
                list.stream().mapToDouble(Trade::price).max().orElseThrow(),
                list.stream().mapToDouble(Trade::price).min().orElseThrow(),
                first.price(), last.price(),
                list.stream().mapToDouble(Trade::price).average().orElseThrow(),
                variance,
                list.stream().map(Trade::trader).collect(Collectors.toSet()).size(),
                qtys,
                qtys.stream().filter(q -> q >= 50).count());
    }
}
