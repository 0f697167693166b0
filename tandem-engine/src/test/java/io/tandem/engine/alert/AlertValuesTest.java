package io.tandem.engine.alert;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.EngineMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What an alert says about values JSON cannot hold as they are, and the fired counter of every rule. */
class AlertValuesTest {

    @TempDir
    Path dir;

    @Test
    void when_valuesAreNotFinite_orBeyondTheLongRange_orNull_then_theJsonIsValid_andReadsBackTheSame() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("turnover", Double.POSITIVE_INFINITY);
        values.put("variance", Double.NaN);
        values.put("volume", new BigInteger("18446744073709551614"));
        values.put("close", null);
        values.put("trades", 2);

        Alert alert = new Alert("id", "r", 0L, Map.of("symbol", "A"), values, 0);

        // not finite: null, as JSON has no infinities; an exact sum stays a number
        assertThat(alert.values()).containsEntry("turnover", null).containsEntry("variance", null)
                .containsEntry("close", null).containsEntry("trades", 2L)
                .containsEntry("volume", new BigInteger("18446744073709551614"));
        assertThat(alert.json()).contains("\"values\":{\"turnover\":null,\"variance\":null,"
                + "\"volume\":18446744073709551614,\"close\":null,\"trades\":2}");
        assertThat(Alert.parse(alert.json())).isEqualTo(alert);
    }

    @Test
    void when_theEngineStarts_then_everyRuleHasAFiredCounterAtZero_withHelp() {
        TandemConfig config = ConfigLoader.parse("""
                streams:
                  trades:
                    time: ts
                    fields: {symbol: string, qty: long}
                views:
                  bars:
                    from: trades
                    granularity: 1m
                    measures: {volume: sum(qty)}
                alerts:
                  big_trade: {stream: trades, on: event, condition: "qty > 1000"}
                  heavy: {view: bars, on: close, condition: "volume > 1000.0"}
                """, "test.yaml");
        EngineMetrics metrics = new EngineMetrics();
        try (AlertEngine engine = new AlertEngine(config, dir, metrics, () -> 0L,
                (view, dims, bucket, measures) -> null)) {
            String scrape = metrics.scrape();
            assertThat(scrape).contains("# HELP tandem_alert_fired_total Alerts fired, per rule\n")
                    .contains("tandem_alert_fired_total{rule=\"big_trade\"} 0.0\n")
                    .contains("tandem_alert_fired_total{rule=\"heavy\"} 0.0\n");
        }
    }
}
