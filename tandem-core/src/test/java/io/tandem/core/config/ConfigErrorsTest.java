package io.tandem.core.config;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Each bad configuration reports exactly the error a user should see, at the path of the bad key. */
class ConfigErrorsTest {

    /** A valid stream that the cases below build on. */
    private static final String TRADES = """
            streams:
              trades:
                time: ts
                fields:
                  symbol: string
                  price: double
                  qty: long
            """;

    private static final String FIELDS = "(fields: symbol, price, qty)";

    /** {@link #TRADES} plus one view {@code v} with the given body, indented by the caller's text block. */
    private static String view(String body) {
        return TRADES + "views:\n  v:\n" + body.indent(4);
    }

    private static String viewWith(String extraLines) {
        return view("from: trades\ngranularity: 1m\nmeasures:\n  n: count\n" + extraLines);
    }

    private static String stream(String body) {
        return "streams:\n  trades:\n" + body.indent(4);
    }

    static Stream<Arguments> corpus() {
        return Stream.of(
                // top level
                bad("", "streams: missing (declare at least one stream)"),
                bad("epoch: 1h\n", "streams: missing (declare at least one stream)"),
                bad("- a\n- b\n", "top level: expected a mapping with epoch, streams and views, got a list"),
                bad("streams: {}\n", "streams: expected at least one stream"),
                bad("streams: [trades]\n", "streams: expected a mapping of stream name to stream, got a list"),
                bad(TRADES + "alert: {}\n",
                        "alert: unknown key (expected epoch, streams, views, alerts, reports, batch, analyses,"
                                + " indexes, query_cache, duckdb, log, store, security); did you mean `alerts`?"),
                bad("epoch: 500ms\n" + TRADES, "epoch: must be at least 1s, got 500ms"),
                bad("epoch: 1 hour\n" + TRADES,
                        "epoch: expected a duration like 500ms, 5s, 1m, 1h or 1d, got \"1 hour\""),
                bad("epoch: 99999999999999999999d\n" + TRADES,
                        "epoch: duration \"99999999999999999999d\" is out of range (at most 9223372036854775807ms)"),
                // streams
                bad("streams:\n  9trades: {time: ts, fields: {}}\n",
                        "streams.9trades: invalid name '9trades' (a name must match [A-Za-z_][A-Za-z0-9_]*)"),
                bad("streams:\n  trades: ts\n",
                        "streams.trades: expected a mapping with time, lateness, max_future, min_time, "
                                + "unknown_fields, on_bad_event, fields, got \"ts\""),
                bad(stream("time: ts\nlateness2: 5s\nfields: {}"),
                        "streams.trades.lateness2: unknown key (expected time, lateness, max_future, min_time, "
                                + "unknown_fields, on_bad_event, fields); did you mean `lateness`?"),
                bad(stream("fields: {}"), "streams.trades.time: missing (the name of the event-time field)"),
                bad(viewWith("granularty: 1m"), "views.v.granularty: unknown key (expected from, group_by, "
                        + "granularity, where, measures, results, needs); did you mean `granularity`?"),
                bad(viewWith("Where: \"qty > 0\""), "views.v.Where: unknown key (expected from, group_by, "
                        + "granularity, where, measures, results, needs); did you mean `where`?"),
                bad(viewWith("colour: red"), "views.v.colour: unknown key (expected from, group_by, granularity, "
                        + "where, measures, results, needs)"),
                bad(stream("time: event-time\nfields: {}"),
                        "streams.trades.time: invalid name 'event-time' (a name must match [A-Za-z_][A-Za-z0-9_]*)"),
                bad(stream("time: [ts]\nfields: {}"), "streams.trades.time: expected a field name, got a list"),
                bad(stream("time: {format: epoch_s}\nfields: {}"),
                        "streams.trades.time.field: missing (the name of the event-time field)"),
                bad(stream("time: {field: ts, format: epoch_sec}\nfields: {}"), "streams.trades.time.format: "
                        + "expected iso8601, epoch_s, epoch_ms, epoch_us, epoch_ns or a DateTimeFormatter pattern like"
                        + " \"yyyy-MM-dd HH:mm:ss\", got \"epoch_sec\""),
                bad(stream("time: {field: ts, format: 'HH:mm'}\nfields: {}"), "streams.trades.time.format: "
                        + "pattern \"HH:mm\" does not read back the sample \"10:05\" it writes for "
                        + "2026-11-26T10:05:07.123Z (a pattern needs at least a year, month and day)"),
                bad(stream("time: {field: ts, format: 'yyyy-MM-dd HH:mm', zone: Mars/Olympus}\nfields: {}"),
                        "streams.trades.time.zone: expected a time zone like UTC, Europe/Paris or +01:00, got "
                                + "\"Mars/Olympus\""),
                bad(stream("time: {field: ts, unit: s}\nfields: {}"),
                        "streams.trades.time.unit: unknown key (expected field, format, zone)"),
                bad(stream("time: ts\nlateness: 5\nfields: {}"),
                        "streams.trades.lateness: expected a duration like 500ms, 5s, 1m, 1h or 1d, got \"5\""),
                bad(stream("time: ts\nmax_future: soon\nfields: {}"),
                        "streams.trades.max_future: expected a duration like 500ms, 5s, 1m, 1h or 1d, got \"soon\""),
                bad(stream("time: ts\nmax_future: 9999999999999999d\nfields: {}"), "streams.trades.max_future: "
                        + "duration \"9999999999999999d\" is out of range (at most 9223372036854775807ms)"),
                bad(stream("time: ts\nmin_time: yesterday\nfields: {}"), "streams.trades.min_time: expected an "
                        + "ISO-8601 timestamp (2026-11-26T10:05:00Z) or epoch milliseconds, got \"yesterday\""),
                bad(stream("time: ts\nmin_time: [1970]\nfields: {}"), "streams.trades.min_time: expected an "
                        + "ISO-8601 timestamp like 2000-01-01T00:00:00Z or epoch milliseconds, got a list"),
                bad(stream("time: ts\nunknown_fields: drop\nfields: {}"),
                        "streams.trades.unknown_fields: expected ignore or reject, got \"drop\""),
                bad(stream("time: ts"), "streams.trades.fields: missing (a mapping of field name to type)"),
                bad(stream("time: ts\nfields: [symbol, price]"),
                        "streams.trades.fields: expected a mapping of field name to type, got a list"),
                bad(stream("time: ts\nfields:\n  price: dbl"),
                        "streams.trades.fields.price: unknown type 'dbl' "
                                + "(expected string, long, double, boolean or timestamp)"),
                bad(stream("time: ts\nfields:\n  price: {type: double}"),
                        "streams.trades.fields.price: expected a type "
                                + "(string, long, double, boolean or timestamp), got a mapping"),
                bad(stream("time: ts\nfields:\n  unit-price: double"),
                        "streams.trades.fields.unit-price: invalid name 'unit-price' "
                                + "(a name must match [A-Za-z_][A-Za-z0-9_]*)"),
                bad(stream("time: ts\nfields:\n  ts: long"),
                        "streams.trades.fields.ts: 'ts' is the time field, so its type must be timestamp, got long"),
                // views
                bad(TRADES + "views: [v]\n", "views: expected a mapping of view name to view, got a list"),
                bad(TRADES + "views:\n  v-1: {from: trades, granularity: 1m, measures: {n: count}}\n",
                        "views.v-1: invalid name 'v-1' (a name must match [A-Za-z_][A-Za-z0-9_]*)"),
                bad(TRADES + "views:\n  v: trades\n",
                        "views.v: expected a mapping with from, group_by, granularity, where, measures, results, "
                                + "needs, got \"trades\""),
                bad(viewWith("grain: 1m"),
                        "views.v.grain: unknown key (expected from, group_by, granularity, where, measures, results, "
                                + "needs)"),
                bad(view("granularity: 1m\nmeasures: {n: count}"),
                        "views.v.from: missing (the stream this view reads)"),
                bad(view("from: trade\ngranularity: 1m\nmeasures: {n: count}"),
                        "views.v.from: unknown stream 'trade' (streams: trades)"),
                bad(view("from: trades\nmeasures: {n: count}"),
                        "views.v.granularity: missing (a duration from 1s to 1d that divides 1d evenly, like 1m)"),
                bad(view("from: trades\ngranularity: 5x\nmeasures: {n: count}"),
                        "views.v.granularity: expected a duration like 500ms, 5s, 1m, 1h or 1d, got \"5x\""),
                bad(view("from: trades\ngranularity: 500ms\nmeasures: {n: count}"),
                        "views.v.granularity: must be between 1s and 1d, got 500ms"),
                bad(view("from: trades\ngranularity: 2d\nmeasures: {n: count}"),
                        "views.v.granularity: must be between 1s and 1d, got 2d"),
                bad(view("from: trades\ngranularity: 7m\nmeasures: {n: count}"),
                        "views.v.granularity: must divide 1d evenly (like 1s, 5s, 1m, 5m, 15m or 1h), got 7m"),
                bad(viewWith("group_by: symbol"),
                        "views.v.group_by: expected a list of field names like [symbol], got \"symbol\""),
                bad(viewWith("group_by: [sym]"),
                        "views.v.group_by[0]: unknown field 'sym' in stream 'trades' " + FIELDS),
                bad(viewWith("group_by: [symbol, symbol]"), "views.v.group_by[1]: field 'symbol' is listed twice"),
                bad(view("from: trades\ngranularity: 1m\nmeasures:\n  bucket: count"),
                        "views.v.measures.bucket: 'bucket' is reserved: query rows use it for the bucket start; "
                                + "use another name"),
                bad(view("from: trades\ngranularity: 1m\nmeasures:\n  source: count"),
                        "views.v.measures.source: 'source' is reserved: query rows use it for the path that "
                                + "answered; use another name"),
                bad(stream("time: ts\nfields: {_offset: long}"),
                        "streams.trades.fields._offset: '_offset' is reserved: the lake adds the columns _arrival, "
                                + "_epoch, _partition and _offset and the folders epoch=N (names starting with _ and "
                                + "the name epoch are taken)"),
                bad(viewWith("group_by: [[symbol]]"), "views.v.group_by[0]: expected a field name, got a list"),
                bad(viewWith("where: \" \""), "views.v.where: expected a CEL condition like \"qty > 0\", got \" \""),
                bad(view("from: trades\ngranularity: 1m"),
                        "views.v.measures: missing (at least one measure, like \"n: count\")"),
                bad(view("from: trades\ngranularity: 1m\nmeasures: {}"),
                        "views.v.measures: expected at least one measure, like \"n: count\""),
                bad(view("from: trades\ngranularity: 1m\nmeasures: [count]"),
                        "views.v.measures: expected a mapping of measure name to measure, got a list"),
                bad(view("from: trades\ngranularity: 1m\nmeasures:\n  volume: sum(qtty)"),
                        "views.v.measures.volume: unknown field 'qtty' in stream 'trades' " + FIELDS),
                bad(view("from: trades\ngranularity: 1m\nmeasures:\n  volume: sum(qty"),
                        "views.v.measures.volume: expected a measure like count, sum(qty), quantile(qty, 0.99) "
                                + "or count where qty > 0, got \"sum(qty\""),
                bad(view("from: trades\ngranularity: 1m\nmeasures:\n  big: count where"),
                        "views.v.measures.big: expected a condition after 'where', got \"count where\""),
                bad(view("from: trades\ngranularity: 1m\nmeasures:\n  n: 5"),
                        "views.v.measures.n: expected a measure like count, sum(qty), quantile(qty, 0.99) "
                                + "or count where qty > 0, got \"5\""),
                bad(view("from: trades\ngranularity: 1m\nmeasures:\n  n: {count: true}"),
                        "views.v.measures.n: expected a measure like count or sum(qty), got a mapping"),
                bad(view("from: trades\ngranularity: 1m\nmeasures:\n  2n: count"),
                        "views.v.measures.2n: invalid name '2n' (a name must match [A-Za-z_][A-Za-z0-9_]*)"),
                bad(view("from: trades\ngroup_by: [symbol]\ngranularity: 1m\nmeasures:\n  symbol: count"),
                        "views.v.measures.symbol: 'symbol' is also a group_by field: give the measure another name"),
                // a view of a stream with errors of its own gets no errors that follow from them
                bad(stream("time: ts\nfields:\n  price: dbl") + "views:\n  v:\n    from: trades\n"
                                + "    group_by: [price]\n    granularity: 1m\n    measures: {high: max(price)}\n",
                        "streams.trades.fields.price: unknown type 'dbl' "
                                + "(expected string, long, double, boolean or timestamp)"));
    }

    private static Arguments bad(String yaml, String error) {
        return Arguments.of(Named.of(error, yaml), error);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void badConfig_reportsExactlyItsError(String yaml, String error) {
        assertThat(errorsOf(yaml)).containsExactly(error);
    }

    @Test
    void everyError_isReportedAtOnce_unknownKeysOfAMappingFirst() {
        String yaml = """
                epoch: 1x
                streams:
                  trades:
                    time: ts
                    fields:
                      symbol: string
                      qty: long
                  quotes:
                    time: ts
                    lateness2: 5s
                    fields: {}
                views:
                  v:
                    from: trades
                    group_by: [sym]
                    granularity: 7m
                    measures:
                      volume: sum(qtty)
                      n: count
                  w:
                    from: trade
                    granularity: 1m
                    measures: {n: count}
                surprise: 1
                """;

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, "x.yaml"));

        List<String> expected = List.of(
                "surprise: unknown key (expected epoch, streams, views, alerts, reports, batch, analyses, indexes,"
                        + " query_cache, duckdb, log, store, security)",
                "epoch: expected a duration like 500ms, 5s, 1m, 1h or 1d, got \"1x\"",
                "streams.quotes.lateness2: unknown key (expected time, lateness, max_future, min_time, unknown_fields, "
                        + "on_bad_event, fields); did you mean `lateness`?",
                "views.v.group_by[0]: unknown field 'sym' in stream 'trades' (fields: symbol, qty)",
                "views.v.granularity: must divide 1d evenly (like 1s, 5s, 1m, 5m, 15m or 1h), got 7m",
                "views.v.measures.volume: unknown field 'qtty' in stream 'trades' (fields: symbol, qty)",
                "views.w.from: unknown stream 'trade' (streams: trades, quotes)");
        assertThat(e.errors()).containsExactlyElementsOf(expected);
        assertThat(e.getMessage()).isEqualTo(String.join("\n", expected));
        assertThat(e.source()).isEqualTo("x.yaml");
    }

    @Test
    void yamlSyntaxError_givesLineAndColumn() {
        String yaml = """
                streams:
                  trades:
                    time: ts
                    fields: [symbol
                views: {}
                """;

        assertThat(errorsOf(yaml)).singleElement().asString().startsWith("line 5, column 6: ");
    }

    @Test
    void tabIndentation_givesLineAndColumn() {
        assertThat(errorsOf("streams:\n\ttrades: {}\n")).singleElement().asString()
                .startsWith("line 2, column 1: ")
                .contains("TAB");
    }

    @Test
    void duplicateKey_givesLineAndColumn() {
        String yaml = TRADES + "  trades:\n    time: ts\n    fields: {}\n";

        assertThat(errorsOf(yaml)).containsExactly("line 8, column 9: duplicate key 'trades'");
    }

    @Test
    void measureRejectedByItsCompiler_isReportedAtTheMeasure() {
        List<String> errors = errorsOf(view("from: trades\ngranularity: 1m\nmeasures:\n  m: median(price)"));

        assertThat(errors).singleElement().asString().startsWith("views.v.measures.m: ");
    }

    @Test
    void badMeasureCondition_isReportedAtTheMeasure() {
        List<String> errors = errorsOf(view("from: trades\ngranularity: 1m\nmeasures:\n  m: count where qty > !!"));

        assertThat(errors).singleElement().asString().startsWith("views.v.measures.m: ");
    }

    @Test
    void badViewFilter_isReportedAtWhere() {
        assertThat(errorsOf(viewWith("where: \"qty > !!\""))).singleElement().asString().startsWith("views.v.where: ");
    }

    private static List<String> errorsOf(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, "test.yaml"));
        assertThat(e).as("a ConfigException for:\n%s", yaml).isNotNull();
        return e.errors();
    }
}
