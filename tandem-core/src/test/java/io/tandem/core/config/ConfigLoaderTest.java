package io.tandem.core.config;

import io.tandem.core.DerivedField;
import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.IndexDef;
import io.tandem.core.MeasureDef;
import io.tandem.core.Needs;
import io.tandem.core.ReportDef;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.UnknownFields;
import io.tandem.core.ViewDef;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    @Test
    void marketExample_loadsEveryStreamViewAndMeasure() {
        TandemConfig config = ConfigLoader.load(Path.of("../examples/market.yaml"));

        assertThat(config.epochMs()).isEqualTo(3_600_000L);
        assertThat(config.streams()).containsOnlyKeys("trades", "news");
        assertThat(config.indexes().get("headlines")).isEqualTo(new IndexDef("headlines", "news",
                List.of("headline", "source"), config.indexes().get("headlines").needs()));
        assertThat(config.streams().get("trades")).isEqualTo(new StreamDef("trades", "ts", 5_000L, List.of(
                new FieldDef("symbol", FieldType.STRING),
                new FieldDef("price", FieldType.DOUBLE),
                new FieldDef("qty", FieldType.LONG),
                new FieldDef("trader", FieldType.STRING)), UnknownFields.IGNORE).withDerived(List.of(
                new DerivedField("notional", "price * double(qty)", FieldType.DOUBLE))));

        assertThat(config.views()).containsOnlyKeys("trades_1m", "market_1m", "traders_1h");
        ViewDef trades = config.views().get("trades_1m");
        assertThat(trades.needs()).isEqualTo(new Needs(true, null, null, 2_000L, null, null, null));
        assertThat(config.views().get("traders_1h").needs()).isEqualTo(new Needs(false, null, null, null,
                3_600_000L, Needs.Volume.perDay(1_000_000), true));
        assertThat(trades.from()).isEqualTo("trades");
        assertThat(trades.groupBy()).containsExactly("symbol");
        assertThat(trades.granularityMs()).isEqualTo(60_000L);
        assertThat(trades.where()).isNull();
        assertThat(trades.measures().values()).containsExactly(
                new MeasureDef("trades", "count", null, null, null),
                new MeasureDef("volume", "sum", "qty", null, null),
                new MeasureDef("high", "max", "price", null, null),
                new MeasureDef("low", "min", "price", null, null),
                new MeasureDef("open", "first", "price", null, null),
                new MeasureDef("close", "last", "price", null, null),
                new MeasureDef("avg_price", "mean", "price", null, null),
                new MeasureDef("traders", "distinct", "trader", null, null),
                new MeasureDef("p99_qty", "quantile", "qty", 0.99, null),
                new MeasureDef("big", "count", null, null, "qty >= 1000"),
                new MeasureDef("turnover", "sum", "notional", null, null));
        assertThat(trades.results()).containsExactly(Map.entry("vwap", "turnover / volume"));

        ViewDef market = config.views().get("market_1m");
        assertThat(market.groupBy()).isEmpty();
        assertThat(market.measures().values()).containsExactly(
                new MeasureDef("trades", "count", null, null, null),
                new MeasureDef("volume", "sum", "qty", null, null),
                new MeasureDef("symbols", "distinct", "symbol", null, null));

        assertThat(config.batchEvery()).isEqualTo(1);
        assertThat(config.reports()).containsOnlyKeys("daily_ohlcv");
        ReportDef daily = config.reports().get("daily_ohlcv");
        assertThat(daily.schedule()).isEqualTo("daily at 00:05");
        assertThat(daily.format()).isEqualTo("csv");
        assertThat(daily.sql()).contains("FROM trades", "{{period_start}}", "{{period_end}}");
    }

    @Test
    void omittedSettings_takeTheirDefaults() {
        TandemConfig config = ConfigLoader.parse("""
                streams:
                  s:
                    time: ts
                    fields: {}
                """, "test.yaml");

        assertThat(config.epochMs()).isEqualTo(TandemConfig.DEFAULT_EPOCH_MS);
        StreamDef s = config.streams().get("s");
        assertThat(s.latenessMs()).isEqualTo(TandemConfig.DEFAULT_LATENESS_MS);
        assertThat(s.unknownFields()).isEqualTo(UnknownFields.IGNORE);
        assertThat(s.maxFutureMs()).isEqualTo(3_600_000L);
        assertThat(s.minTimeMs()).isEqualTo(Instant.parse("1900-01-01T00:00:00Z").toEpochMilli());
        assertThat(s.fields()).isEmpty();
        assertThat(config.views()).isEmpty();
        assertThat(config.batchEvery()).isEqualTo(TandemConfig.DEFAULT_BATCH_EVERY);
        assertThat(config.reports()).isEmpty();
    }

    @Test
    void everySetting_isRead() {
        TandemConfig config = ConfigLoader.parse("""
                epoch: 1m
                streams:
                  clicks:
                    time: at
                    lateness: 0s
                    max_future: 0s
                    min_time: 2000-01-01T00:00:00Z
                    unknown_fields: reject
                    fields:
                      at: timestamp
                      user: string
                      ok: boolean
                views:
                  by_user:
                    from: clicks
                    group_by: [user]
                    granularity: 1s
                    where: "ok"
                    measures:
                      n: count
                      first_seen: min(at)
                """, "test.yaml");

        assertThat(config.epochMs()).isEqualTo(60_000L);
        StreamDef clicks = config.streams().get("clicks");
        assertThat(clicks.latenessMs()).isZero();
        assertThat(clicks.maxFutureMs()).isZero();
        assertThat(clicks.minTimeMs()).isEqualTo(946_684_800_000L);
        assertThat(clicks.unknownFields()).isEqualTo(UnknownFields.REJECT);
        assertThat(clicks.indexOf("at")).isZero();
        ViewDef byUser = config.views().get("by_user");
        assertThat(byUser.where()).isEqualTo("ok");
        assertThat(byUser.granularityMs()).isEqualTo(1_000L);
        assertThat(byUser.measures()).containsOnlyKeys("n", "first_seen");
    }

    @Test
    void missingFile_isAConfigErrorNamingThePath() {
        Path missing = Path.of("no-such-dir/tandem.yaml");

        // the path is the exception's source, which callers print before each error, as for every other error
        assertThatThrownBy(() -> ConfigLoader.load(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessage("no such file")
                .extracting(e -> ((ConfigException) e).source()).isEqualTo(missing.toString());
    }
}
