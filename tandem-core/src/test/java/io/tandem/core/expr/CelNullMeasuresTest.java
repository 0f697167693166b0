package io.tandem.core.expr;

import io.tandem.core.FieldType;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conditions over buckets whose measures are null (a measure over a field no event of the bucket had), beyond the
 * long range (an exact sum, a BigInteger) or not finite (a double sum out of range).
 */
class CelNullMeasuresTest {

    private static final Map<String, FieldType> MEASURES = Map.of("trades", FieldType.LONG, "volume",
            FieldType.DOUBLE, "open", FieldType.DOUBLE, "close", FieldType.DOUBLE);

    /** A map that may hold nulls. */
    private static Map<String, Object> values(Object... namesAndValues) {
        Map<String, Object> out = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            out.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return out;
    }

    private static boolean test(String condition, Map<String, Object> values) {
        return CelCondition.overBuckets(condition, MEASURES).test(values);
    }

    @Test
    void when_aMeasureIsNull_then_whatReadsItDoesNotHold_andTheRestOfTheConditionStillDecides() {
        Map<String, Object> noPrice = values("trades", 1L, "volume", 1.0, "open", null, "close", null);

        // the demo's price_jump rule, on a bucket whose trades had no price: no alert, no error
        assertThat(test("close > open * 1.02 || close < open * 0.98", noPrice)).isFalse();
        assertThat(test("open > 1.0", noPrice)).isFalse();
        // a negation of something unknown is still unknown, so it does not hold either
        assertThat(test("!(open > 1.0)", noPrice)).isFalse();
        assertThat(test("open == open", noPrice)).isFalse();
        // a branch that does not read the null measure decides on its own, on either side
        assertThat(test("open > 1.0 || trades > 0", noPrice)).isTrue();
        assertThat(test("trades > 0 || open > 1.0", noPrice)).isTrue();
        assertThat(test("trades > 0 && open > 1.0", noPrice)).isFalse();
    }

    @Test
    void when_aPreviousBucketHasANullMeasure_then_hasSaysSo_andFiltersCanSkipIt() {
        List<Map<String, Object>> prev = List.of(values("trades", 1L, "volume", null),
                values("trades", 1L, "volume", 4.0));
        Map<String, Object> bucket = values("trades", 1L, "prev", prev);

        assertThat(test("has(prev[0].volume)", bucket)).isFalse();
        assertThat(test("!has(prev[0].volume) && has(prev[1].volume)", bucket)).isTrue();
        // a list function over a list with a missing value does not hold; filtering with has() makes it work
        assertThat(test("avg(prev.map(p, p.volume)) > 1.0", bucket)).isFalse();
        assertThat(test("avg(prev.filter(p, has(p.volume)).map(p, p.volume)) == 4.0", bucket)).isTrue();
    }

    @Test
    void when_aSumIsBeyondTheLongRange_orNotFinite_then_conditionsReadItAsADouble() {
        assertThat(test("volume > 1.8e19 && volume < 1.9e19",
                values("volume", new BigInteger("18446744073709551614")))).isTrue();
        assertThat(test("volume > 1.0e308", values("volume", Double.POSITIVE_INFINITY))).isTrue();
        // NaN compares false with everything
        assertThat(test("volume > 1.0 || volume <= 1.0", values("volume", Double.NaN))).isFalse();
    }
}
