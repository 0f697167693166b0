package io.tandem.core.measure;

import io.tandem.core.FieldDef;
import io.tandem.core.FieldType;
import io.tandem.core.Measure;
import io.tandem.core.MeasureDef;
import io.tandem.core.StreamDef;
import io.tandem.core.UnknownFields;
import io.tandem.core.expr.SqlColumns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The SQL forms as text and as readers; their agreement with the hot path is checked against DuckDB. */
class SqlFormTest {

    private static final StreamDef STREAM = new StreamDef("trades", "ts", 0, List.of(
            new FieldDef("s", FieldType.STRING), new FieldDef("p", FieldType.DOUBLE),
            new FieldDef("q", FieldType.LONG), new FieldDef("t", FieldType.TIMESTAMP)), UnknownFields.IGNORE);
    private static final SqlColumns COLUMNS = SqlColumns.lake(STREAM);

    private static Measure<Object> measure(String function, String field, String where) {
        @SuppressWarnings("unchecked")
        Measure<Object> m = (Measure<Object>) Measures.compile(new MeasureDef("m", function, field,
                function.equals("quantile") ? 0.5 : null, where), STREAM);
        return m;
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', nullValues = "-", value = {
        "count; -; -; count(*)",
        "count; s; q > 0; count(\"s\") FILTER (WHERE (\"q\" > CAST(0 AS BIGINT)))",
        "sum; q; -; count(\"q\")|sum(\"q\")",
        "sum; p; -; count(\"p\")|fsum(\"p\")|sum(\"p\")",
        "mean; t; -; count(epoch_ms(\"t\"))|sum(epoch_ms(\"t\"))",
        "min; p; -; count(\"p\")|min(\"p\")|bool_or(signbit(\"p\"))",
        "max; ts; -; count(epoch_ms(\"ts\"))|max(epoch_ms(\"ts\"))",
        "variance; q; -; count(\"q\")|avg(\"q\")|var_pop(\"q\")"})
    void when_measureIsExact_then_itsAggregatesAreThese(String function, String field, String where, String sql) {
        assertThat(Measures.sqlForm(measure(function, field, where), COLUMNS).orElseThrow().aggregates())
                .containsExactly(sql.split("\\|"));
    }

    @Test
    void when_firstHasACondition_then_bothAggregatesSkipNullsAndFilter() {
        List<String> aggregates = Measures.sqlForm(measure("first", "p", "q > 0"), COLUMNS).orElseThrow().aggregates();
        String filter = " FILTER (WHERE (\"p\" IS NOT NULL) AND ((\"q\" > CAST(0 AS BIGINT))))";
        assertThat(aggregates).containsExactly("arg_min(\"p\", " + COLUMNS.orderKey() + ")" + filter,
                "min(" + COLUMNS.orderKey() + ")" + filter);
    }

    @Test
    void when_measureIsASketchOrItsConditionDoesNotTranslate_then_ithasNoSqlForm() {
        assertThat(Measures.sqlForm(measure("distinct", "s", null), COLUMNS)).isEmpty();
        assertThat(Measures.sqlForm(measure("quantile", "p", null), COLUMNS)).isEmpty();
        assertThat(Measures.sqlForm(measure("count", null, "s.matches('a')"), COLUMNS)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"count,", "count,s", "sum,q", "sum,p", "mean,q", "min,p", "max,q", "first,p", "last,t", "variance,p"})
    void when_sqlFoundNothing_then_theAccumulatorIsCreates(String function, String field) throws IOException {
        Measure<Object> m = measure(function, field, null);
        SqlForm<Object> form = Measures.sqlForm(m, COLUMNS).orElseThrow();
        Object[] values = new Object[form.aggregates().size() + 1];
        if (form.aggregates().get(0).startsWith("count(")) {
            values[1] = 0L; // count(...) of no rows is 0, every other aggregate NULL
        }
        assertThat(bytes(m, form.fromSql(values, 1))).isEqualTo(bytes(m, m.create()));
    }

    @Test
    void when_aDoubleSumLeavesTheDoubleRange_then_thePlainSumsInfinityIsTaken_asOnTheHotPath() {
        Measure<Object> m = measure("sum", "p", null);
        SqlForm<Object> form = Measures.sqlForm(m, COLUMNS).orElseThrow();
        // DuckDB: fsum of 1e308 twice is NaN, sum is Infinity
        Object acc = form.fromSql(new Object[] {2L, Double.NaN, Double.POSITIVE_INFINITY}, 0);
        assertThat(m.result(acc)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(m.result(form.fromSql(new Object[] {2L, 3.0, 3.0000000000000004}, 0))).isEqualTo(3.0);
    }

    @Test
    void when_sqlsLongSumLeavesTheLongRange_then_theAccumulatorHoldsItExactly() {
        Measure<Object> m = measure("sum", "q", null);
        SqlForm<Object> form = Measures.sqlForm(m, COLUMNS).orElseThrow();
        BigInteger sum = BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.TEN);
        assertThat(m.result(form.fromSql(new Object[] {2L, sum}, 0))).isEqualTo(sum);
        BigInteger low = BigInteger.valueOf(Long.MIN_VALUE).multiply(BigInteger.valueOf(3));
        assertThat(m.result(form.fromSql(new Object[] {3L, low}, 0))).isEqualTo(low);
        // within the range: a Long
        assertThat(m.result(form.fromSql(new Object[] {1L, BigInteger.valueOf(7)}, 0))).isEqualTo(7L);
    }

    @Test
    void when_rangesFit_then_theOrderKeyIsPackedAndDecodesBack() {
        SqlColumns packed = COLUMNS.withOrderRange(-5_000, 3_600_000, 3, 100, 1_000_000);
        assertThat(packed.packedOrderKey()).isTrue();
        long eventUs = -86_400_000_000L;
        long arrivalMs = 1_234_567;
        long partition = 2;
        long offset = 999_999;
        int lowBits = BigInteger.valueOf(4L * (1_000_000 - 100 + 1) - 1).bitLength();
        BigInteger low = BigInteger.valueOf((arrivalMs + 5_000) * 1000).shiftLeft(lowBits)
                .or(BigInteger.valueOf(partition * (1_000_000 - 100 + 1) + offset - 100));
        BigInteger key = BigInteger.valueOf(eventUs).shiftLeft(64).add(low);
        assertThat(packed.decodeOrderKey(key)).containsExactly(-86_400_000L, arrivalMs, partition << 48 | offset);
    }

    @Test
    void when_rangesAreTooWide_then_theOrderKeyIsAStruct() {
        assertThat(COLUMNS.withOrderRange(-3_155_760_000_000L, 3_155_760_000_000L, 2, 0, 1000).packedOrderKey())
                .isFalse();
        assertThat(COLUMNS.orderKey()).startsWith("{'e': epoch_us(\"ts\")");
    }

    private static byte[] bytes(Measure<Object> m, Object acc) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.write(acc, new DataOutputStream(out));
        return out.toByteArray();
    }
}
