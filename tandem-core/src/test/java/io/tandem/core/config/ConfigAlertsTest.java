package io.tandem.core.config;

import io.tandem.core.AlertDef;
import io.tandem.core.TandemConfig;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The {@code alerts} section: what it reads, and the error each mistake gives. */
class ConfigAlertsTest {

    private static final String MARKET = """
            streams:
              trades:
                time: ts
                fields: {symbol: string, price: double, qty: long, venue: string}
            views:
              bars:
                from: trades
                group_by: [symbol, venue]
                granularity: 1m
                measures: {trades: count, volume: sum(qty), open: first(price), close: last(price)}
            """;

    /** {@link #MARKET} plus one rule {@code r} with the given body. */
    private static String rule(String body) {
        return MARKET + "alerts:\n  r:\n" + body.indent(4);
    }

    @Test
    void rulesOnViewsAndStreams_areRead() {
        TandemConfig config = ConfigLoader.parse(MARKET + """
                alerts:
                  price_jump:
                    view: bars
                    on: update
                    condition: "(close - open) / open > 0.02"
                  volume_spike:
                    view: bars
                    for_each: [venue, symbol]
                    on: close
                    prev: 30
                    condition: "size(prev) == 30 && volume > 5.0 * avg(prev.map(p, p.volume))"
                    webhook: http://127.0.0.1:9000/hook
                  versus_last:
                    view: bars
                    on: close
                    condition: "close > prev[0].close && prev[0].close > prev[2].close"
                  huge_trade:
                    stream: trades
                    for_each: [symbol]
                    on: event
                    condition: "qty >= 100000"
                """, "test.yaml");

        assertThat(config.alerts().values()).containsExactly(
                new AlertDef("price_jump", "bars", null, List.of("symbol", "venue"), AlertDef.Trigger.UPDATE,
                        "(close - open) / open > 0.02", 0, null),
                new AlertDef("volume_spike", "bars", null, List.of("symbol", "venue"), AlertDef.Trigger.CLOSE,
                        "size(prev) == 30 && volume > 5.0 * avg(prev.map(p, p.volume))", 30,
                        "http://127.0.0.1:9000/hook"),
                new AlertDef("versus_last", "bars", null, List.of("symbol", "venue"), AlertDef.Trigger.CLOSE,
                        "close > prev[0].close && prev[0].close > prev[2].close", 3, null),
                new AlertDef("huge_trade", null, "trades", List.of("symbol"), AlertDef.Trigger.EVENT,
                        "qty >= 100000", 0, null));
    }

    @Test
    void theMarketExample_declaresItsTwoRules() {
        TandemConfig config = ConfigLoader.load(Path.of("../examples/market.yaml"));
        assertThat(config.alerts()).containsOnlyKeys("price_jump", "volume_spike");
        assertThat(config.alerts().get("volume_spike").prev()).isEqualTo(30);
    }

    static Stream<Arguments> corpus() {
        return Stream.of(
                bad(MARKET + "alerts: [r]\n", "alerts: expected a mapping of rule name to rule, got a list"),
                bad(MARKET + "alerts:\n  r: x > 1\n",
                        "alerts.r: expected a mapping with view, stream, for_each, on, condition, prev, webhook, "
                                + "needs, got \"x > 1\""),
                bad(rule("view: bars\non: update\ncondition: \"trades > 1\"\nemail: me"),
                        "alerts.r.email: unknown key (expected view, stream, for_each, on, condition, prev, webhook,"
                                + " needs)"),
                bad(rule("on: update\ncondition: \"trades > 1\""),
                        "alerts.r: missing view or stream (view: NAME for rules on buckets, stream: NAME for on: "
                                + "event)"),
                bad(rule("view: bars\nstream: trades\non: update\ncondition: \"trades > 1\""),
                        "alerts.r: give either view or stream, not both"),
                bad(rule("view: barz\non: update\ncondition: \"trades > 1\""),
                        "alerts.r.view: unknown view 'barz' (views: bars)"),
                bad(rule("stream: trade\non: event\ncondition: \"qty > 1\""),
                        "alerts.r.stream: unknown stream 'trade' (streams: trades)"),
                bad(rule("view: bars\non: event\ncondition: \"trades > 1\""),
                        "alerts.r.on: on: event needs stream: instead of view: (a view rule checks buckets: update "
                                + "or close)"),
                bad(rule("stream: trades\non: close\ncondition: \"qty > 1\""),
                        "alerts.r.on: on: close needs view: instead of stream: (a stream rule checks each event: "
                                + "event)"),
                bad(rule("view: bars\non: change\ncondition: \"trades > 1\""),
                        "alerts.r.on: expected event, update or close, got \"change\""),
                bad(rule("view: bars\ncondition: \"trades > 1\""),
                        "alerts.r.on: missing (update or close (for a rule on a view))"),
                bad(rule("view: bars\nfor_each: [trader]\non: update\ncondition: \"trades > 1\""),
                        "alerts.r.for_each[0]: 'trader' is not a group_by field of view 'bars' (group_by: symbol, "
                                + "venue)"),
                bad(rule("view: bars\nfor_each: [symbol]\non: update\ncondition: \"trades > 1\""),
                        "alerts.r.for_each: must list every group_by field of view 'bars' (symbol, venue) or be "
                                + "left out: an alert is about one group of the view"),
                bad(rule("view: bars\nfor_each: symbol\non: update\ncondition: \"trades > 1\""),
                        "alerts.r.for_each: expected a list of field names like [symbol], got \"symbol\""),
                bad(rule("stream: trades\nfor_each: [sym]\non: event\ncondition: \"qty > 1\""),
                        "alerts.r.for_each[0]: unknown field 'sym' in stream 'trades' (fields: symbol, price, qty, "
                                + "venue)"),
                bad(rule("view: bars\non: update"),
                        "alerts.r.condition: missing (a CEL condition like \"(close - open) / open > 0.02\")"),
                bad(rule("view: bars\non: update\ncondition: \"clse > 1.0\""),
                        "alerts.r.condition: invalid condition \"clse > 1.0\": undeclared reference to 'clse' "
                                + "(variables: trades, volume, open, close, prev)"),
                bad(rule("view: bars\non: close\ncondition: \"close > prev[0].clse\""),
                        "alerts.r.condition: invalid condition \"close > prev[0].clse\": a previous bucket has no "
                                + "measure 'clse' (measures: trades, volume, open, close) (variables: trades, volume, "
                                + "open, close, prev)"),
                bad(rule("view: bars\non: update\ncondition: \"close\""),
                        "alerts.r.condition: invalid condition \"close\": expected a bool result, got double "
                                + "(variables: trades, volume, open, close, prev)"),
                bad(rule("stream: trades\non: event\ncondition: \"volume > 1\""),
                        "alerts.r.condition: invalid condition \"volume > 1\": undeclared reference to 'volume'"),
                bad(rule("view: bars\non: close\ncondition: \"volume > avg(prev.map(p, p.volume))\""),
                        "alerts.r.prev: missing: the condition reads prev as a list, so say how many previous "
                                + "buckets it holds, like prev: 30"),
                bad(rule("view: bars\non: close\nprev: 2\ncondition: \"close > prev[3].close\""),
                        "alerts.r.prev: the condition reads prev[3], beyond the 2 previous buckets declared"),
                bad(rule("view: bars\non: close\nprev: 0\ncondition: \"trades > 1\""),
                        "alerts.r.prev: expected a whole number of previous buckets from 1 to 1000, got 0"),
                bad(rule("stream: trades\non: event\nprev: 3\ncondition: \"qty > 1\""),
                        "alerts.r.prev: only rules on a view read previous buckets (this rule reads stream "
                                + "'trades')"),
                bad(rule("view: bars\non: update\ncondition: \"trades > 1\"\nwebhook: ftp://example.com/x"),
                        "alerts.r.webhook: expected an http:// or https:// URL with a host, got "
                                + "\"ftp://example.com/x\""),
                bad(rule("view: bars\non: update\ncondition: \"trades > 1\"\nwebhook: \"http://a b\""),
                        "alerts.r.webhook: invalid URL: Illegal character in authority at index 7: http://a b"));
    }

    private static Arguments bad(String yaml, String... errors) {
        return Arguments.of(Named.of(errors[0], yaml), List.of(errors));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void badAlert_reportsExactlyItsErrors(String yaml, List<String> errors) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, "test.yaml"));

        assertThat(e).as("a ConfigException for:\n%s", yaml).isNotNull();
        assertThat(e.errors()).containsExactlyElementsOf(errors);
    }

    @Test
    void aRuleOnABadView_getsNoCascadingErrors() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("""
                streams:
                  trades: {time: ts, fields: {qty: long}}
                views:
                  v: {from: trades, granularity: 1m, measures: {n: count, q: sum(qtty)}}
                alerts:
                  r: {view: v, on: close, condition: "q > 1.0"}
                """, "test.yaml"));
        assertThat(e.errors()).containsExactly(
                "views.v.measures.q: unknown field 'qtty' in stream 'trades' (fields: qty)");
    }
}
