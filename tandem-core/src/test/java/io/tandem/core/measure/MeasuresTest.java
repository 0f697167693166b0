package io.tandem.core.measure;

import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.Measure;
import io.tandem.core.MeasureDef;
import io.tandem.core.Row;
import io.tandem.core.StreamDef;
import io.tandem.core.UnknownFields;
import io.tandem.core.codec.RowCodec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MeasuresTest {

    private static final StreamDef TRADES = new StreamDef("trades", "time", 0, List.of(
            new FieldDef("symbol", FieldType.STRING),
            new FieldDef("price", FieldType.DOUBLE),
            new FieldDef("qty", FieldType.LONG)), UnknownFields.REJECT);

    private static final RowCodec CODEC = new RowCodec(TRADES);

    @Test
    void when_fieldIsUnknown_then_messageListsTheStreamsFields() {
        assertThatThrownBy(() -> compile("sum", "qtty", null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown field 'qtty' in stream 'trades' (fields: symbol, price, qty)");
    }

    @Test
    void when_numericFunctionGetsAString_then_messageSaysWhatItExpected() {
        assertThatThrownBy(() -> compile("sum", "symbol", null, null))
                .hasMessage("sum: field 'symbol' is string, expected a numeric field (long, double or timestamp)");
    }

    @Test
    void when_functionOrParameterIsWrong_then_messageSaysWhich() {
        assertThatThrownBy(() -> compile("avg", "qty", null, null))
                .hasMessage("unknown function 'avg' (functions: count, sum, min, max, first, last, mean, variance, "
                        + "distinct, quantile)");
        assertThatThrownBy(() -> compile("quantile", "qty", 1.5, null))
                .hasMessage("quantile: rank must be between 0 and 1, got 1.5");
        assertThatThrownBy(() -> compile("quantile", "qty", null, null)).hasMessageStartingWith("quantile: a rank");
        assertThatThrownBy(() -> compile("sum", "qty", 0.5, null)).hasMessage("sum: takes no parameter, got 0.5");
        assertThatThrownBy(() -> compile("max", null, null, null)).hasMessageStartingWith("max: a field is required");
        assertThatThrownBy(() -> compile("count", null, null, "qtty > 0"))
                .hasMessage("invalid condition \"qtty > 0\": undeclared reference to 'qtty'");
    }

    @Test
    void when_fieldIsLong_then_resultsAreLongs_and_whenDouble_thenDoubles() {
        List<Row> rows = List.of(row(10, 0, 0, "A", 1.5, 3L), row(20, 0, 1, "B", 2.5, 5L));
        assertThat(run("sum", "qty", rows)).isEqualTo(8L);
        assertThat(run("sum", "price", rows)).isEqualTo(4.0);
        assertThat(run("min", "qty", rows)).isEqualTo(3L);
        assertThat(run("max", "price", rows)).isEqualTo(2.5);
        assertThat(run("mean", "qty", rows)).isEqualTo(4.0);
        assertThat(run("variance", "qty", rows)).isEqualTo(1.0);
        assertThat(run("distinct", "symbol", rows)).isEqualTo(2L);
        assertThat(run("count", null, rows)).isEqualTo(2L);
        assertThat(run("max", "time", rows)).isEqualTo(20L);
    }

    @Test
    void when_nothingWasAdded_then_resultIsNull_exceptCount() {
        List<Row> nulls = List.of(row(1, 0, 0, null, null, null));
        for (String f : List.of("sum", "min", "max", "first", "last", "mean", "variance", "distinct")) {
            assertThat(run(f, f.equals("distinct") ? "symbol" : "qty", nulls)).as(f).isNull();
        }
        assertThat(run("count", null, nulls)).isEqualTo(1L);
        assertThat(run("count", "qty", nulls)).isEqualTo(0L);
    }

    @Test
    void when_eventTimesTie_then_firstAndLastFollowArrivalOrder() {
        List<Row> rows = List.of(
                row(-5, 100, 2, "A", null, 1L),
                row(-5, 100, 1, "A", null, 2L),
                row(-5, 99, 7, "A", null, 3L),
                row(-9, 500, 0, "A", null, null),
                row(40, 1, 0, "A", null, 4L),
                row(40, 2, 0, "A", null, 5L));
        assertThat(run("first", "qty", rows)).isEqualTo(3L);
        assertThat(run("last", "qty", rows)).isEqualTo(5L);
        List<Row> reversed = new java.util.ArrayList<>(rows);
        java.util.Collections.reverse(reversed);
        assertThat(run("first", "qty", reversed)).isEqualTo(3L);
    }

    @Test
    void when_measureHasWhere_then_onlyMatchingEventsCount() {
        List<Row> rows = List.of(row(1, 0, 0, "AAPL", 1.0, 3L), row(2, 0, 1, "MSFT", 2.0, 5L));
        Measure<Object> m = measure("sum", "qty", null, "symbol.startsWith('A')");
        Object acc = m.create();
        rows.forEach(r -> m.add(acc, r));
        assertThat(m.result(acc)).isEqualTo(3L);
    }

    private static Object compile(String function, String field, Double parameter, String where) {
        return Measures.compile(new MeasureDef("m", function, field, parameter, where), TRADES);
    }

    @SuppressWarnings("unchecked")
    private static Measure<Object> measure(String function, String field, Double parameter, String where) {
        return (Measure<Object>) compile(function, field, parameter, where);
    }

    private static Object run(String function, String field, List<Row> rows) {
        Measure<Object> m = measure(function, field, null, null);
        Object acc = m.create();
        rows.forEach(r -> m.add(acc, r));
        return m.result(acc);
    }

    private static Row row(long time, long arrival, long sequence, String symbol, Double price, Long qty) {
        RowCodec.Builder b = CODEC.builder().reset(time).setString(0, symbol);
        if (price != null) {
            b.setDouble(1, price);
        }
        if (qty != null) {
            b.setLong(2, qty);
        }
        byte[] payload = b.encode();
        return CODEC.reader().reset(payload, 0, payload.length, arrival, sequence);
    }
}
