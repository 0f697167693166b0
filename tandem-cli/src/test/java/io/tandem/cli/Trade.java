package io.tandem.cli;

import io.tandem.engine.query.QueryResult;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One trade of the end-to-end tests, whose view {@code per_minute} (by symbol, 1m) has the measures trades: count,
 * volume: sum(qty), high: max(price) and close: last(price); and the plain reference computation they compare with.
 * Event times are unique, so last(price) has one answer.
 */
record Trade(String symbol, double price, long qty, long ts) {

    String json() {
        return "{\"ts\":" + ts + ",\"symbol\":\"" + symbol + "\",\"price\":" + price + ",\"qty\":" + qty + "}";
    }

    /** The trades as one NDJSON body. */
    static byte[] body(List<Trade> trades) {
        return trades.stream().map(Trade::json).collect(Collectors.joining("\n")).getBytes(StandardCharsets.UTF_8);
    }

    /** Per "bucket/symbol" (bucket in epoch ms), "trades volume high close", computed plainly. */
    static Map<String, String> perMinute(Collection<Trade> trades) {
        Map<String, List<Trade>> groups = new TreeMap<>();
        trades.forEach(t -> groups.computeIfAbsent(Math.floorDiv(t.ts(), 60_000L) * 60_000L + "/" + t.symbol(),
                k -> new ArrayList<>()).add(t));
        Map<String, String> out = new TreeMap<>();
        groups.forEach((g, ts) -> {
            Trade last = ts.stream().max((a, b) -> Long.compare(a.ts(), b.ts())).orElseThrow();
            out.put(g, ts.size() + " " + ts.stream().mapToLong(Trade::qty).sum() + " "
                    + ts.stream().mapToDouble(Trade::price).max().orElseThrow() + " " + last.price());
        });
        return out;
    }

    /** A query's rows of {@code per_minute} in the form {@link #perMinute} gives. */
    static Map<String, String> rows(QueryResult result) {
        Map<String, String> rows = new TreeMap<>();
        for (QueryResult.Row row : result.rows()) {
            Object[] v = row.values();
            rows.put(row.bucket() + "/" + row.dims().get(0), v[0] + " " + v[1] + " " + v[2] + " " + v[3]);
        }
        return rows;
    }
}
