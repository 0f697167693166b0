package io.tandem.engine;

import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.MeasureDef;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.UnknownFields;
import io.tandem.core.ViewDef;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Configs for engine tests, built in code so that these tests do not depend on the YAML loader. */
final class TestConfigs {

    private TestConfigs() {
    }

    static final StreamDef TRADES = new StreamDef("trades", "ts", 5_000, List.of(
            new FieldDef("symbol", FieldType.STRING), new FieldDef("price", FieldType.DOUBLE),
            new FieldDef("qty", FieldType.LONG), new FieldDef("trader", FieldType.STRING),
            new FieldDef("batch", FieldType.LONG)), UnknownFields.IGNORE);

    /** Every measure, per symbol per minute. */
    static ViewDef tradesView(long granularityMs) {
        Map<String, MeasureDef> m = new LinkedHashMap<>();
        m.put("trades", new MeasureDef("trades", "count", null, null, null));
        m.put("volume", new MeasureDef("volume", "sum", "qty", null, null));
        m.put("turnover", new MeasureDef("turnover", "sum", "price", null, null));
        m.put("high", new MeasureDef("high", "max", "price", null, null));
        m.put("low", new MeasureDef("low", "min", "price", null, null));
        m.put("open", new MeasureDef("open", "first", "price", null, null));
        m.put("close", new MeasureDef("close", "last", "price", null, null));
        m.put("avg_price", new MeasureDef("avg_price", "mean", "price", null, null));
        m.put("var_qty", new MeasureDef("var_qty", "variance", "qty", null, null));
        m.put("traders", new MeasureDef("traders", "distinct", "trader", null, null));
        m.put("p90_qty", new MeasureDef("p90_qty", "quantile", "qty", 0.9, null));
        m.put("big", new MeasureDef("big", "count", null, null, "qty >= 50"));
        return new ViewDef("trades_1m", "trades", List.of("symbol"), granularityMs, null, m);
    }

    /** Events per ingest batch: proves that a unit is all-or-nothing. */
    static ViewDef batchView() {
        Map<String, MeasureDef> m = new LinkedHashMap<>();
        m.put("n", new MeasureDef("n", "count", null, null, null));
        m.put("qty", new MeasureDef("qty", "sum", "qty", null, null));
        return new ViewDef("by_batch", "trades", List.of("batch"), 86_400_000L, null, m);
    }

    static TandemConfig config(long epochMs) {
        return new TandemConfig(epochMs, Map.of("trades", TRADES),
                Map.of("trades_1m", tradesView(60_000), "by_batch", batchView()));
    }
}
