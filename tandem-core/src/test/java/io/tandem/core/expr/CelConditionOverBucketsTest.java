package io.tandem.core.expr;

import io.tandem.core.FieldType;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Conditions over a bucket and the previous buckets of its group, as alert rules on views use them. */
class CelConditionOverBucketsTest {

    private static final Map<String, FieldType> MEASURES =
            Map.of("trades", FieldType.LONG, "volume", FieldType.DOUBLE, "close", FieldType.DOUBLE);

    @Test
    void when_conditionComparesWithThePreviousBucket_then_itReadsPrevZero() {
        CelCondition moved = CelCondition.overBuckets("close > prev[0].close * 1.02", MEASURES);

        assertThat(moved.test(Map.of("close", 103.0, "prev", List.of(Map.of("close", 100.0))))).isTrue();
        assertThat(moved.test(Map.of("close", 101.0, "prev", List.of(Map.of("close", 100.0))))).isFalse();
        // no previous bucket: prev[0] is an error, so the condition does not hold
        assertThat(moved.test(Map.of("close", 101.0, "prev", List.of()))).isFalse();
        assertThat(moved.prevDepth()).isEqualTo(OptionalInt.of(1));
    }

    @Test
    void reads_namesTheMeasuresTheConditionUses_inTheBucketAndInPreviousOnes() {
        assertThat(CelCondition.overBuckets("close > prev[0].close * 1.02", MEASURES).reads())
                .containsExactly("close");
        assertThat(CelCondition.overBuckets("trades > 3 && has(prev[0].volume)", MEASURES).reads())
                .containsExactlyInAnyOrder("trades", "volume");
        assertThat(CelCondition.overBuckets("size(prev) > 2", MEASURES).reads()).isEmpty();
    }

    @Test
    void when_conditionAveragesThePreviousBuckets_then_listFunctionsApply() {
        CelCondition spike = CelCondition.overBuckets(
                "size(prev) == 3 && volume > 5.0 * avg(prev.map(p, p.volume))", MEASURES);
        List<Map<String, Object>> prev = List.of(Map.of("volume", 10L), Map.of("volume", 20), Map.of("volume", 30.0));

        assertThat(spike.test(Map.of("volume", 101L, "prev", prev))).isTrue();
        assertThat(spike.test(Map.of("volume", 99L, "prev", prev))).isFalse();
        assertThat(spike.test(Map.of("volume", 101L, "prev", prev.subList(0, 2)))).isFalse();
        assertThat(spike.prevDepth()).isEmpty();
    }

    @Test
    void when_listFunctionsMeetEdgeCases_then_sumOfNothingIsZero_andTheOthersDoNotHold() {
        assertThat(CelCondition.overBuckets("sum(prev.map(p, p.volume)) == 0.0", MEASURES)
                .test(Map.of("prev", List.of()))).isTrue();
        assertThat(CelCondition.overBuckets("max(prev.map(p, p.close)) >= 0.0", MEASURES)
                .test(Map.of("prev", List.of()))).isFalse();
        assertThat(CelCondition.overBuckets("min([3, 1.5]) == 1.5 && max([3, 1.5]) == 3.0", MEASURES)
                .test(Map.of())).isTrue();
    }

    @Test
    void when_aPreviousValueIsNull_then_itIsAbsent() {
        CelCondition has = CelCondition.overBuckets("has(prev[0].close)", MEASURES);
        assertThat(has.test(Map.of("prev", List.of(Collections.singletonMap("close", null))))).isFalse();
        assertThat(has.test(Map.of("prev", List.of(Map.of("close", 1.0))))).isTrue();
    }

    @Test
    void when_conditionDoesNotReadPrev_then_depthIsZero() {
        assertThat(CelCondition.overBuckets("trades > 10", MEASURES).prevDepth()).isEqualTo(OptionalInt.of(0));
        assertThat(CelCondition.overBuckets("prev[4].trades > prev[1].trades", MEASURES).prevDepth())
                .isEqualTo(OptionalInt.of(5));
    }

    @Test
    void when_aPreviousBucketNamesAnUnknownMeasure_then_compileFails() {
        assertThatThrownBy(() -> CelCondition.overBuckets("close > prev[0].clsoe", MEASURES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a previous bucket has no measure 'clsoe' (measures: ");
        assertThatThrownBy(() -> CelCondition.overBuckets("prev.exists(p, p.vol > 1.0)", MEASURES))
                .hasMessageContaining("no measure 'vol'");
    }

    @Test
    void when_aMeasureIsNamedPrev_then_compileFails() {
        assertThatThrownBy(() -> CelCondition.overBuckets("prev > 1", Map.of("prev", FieldType.LONG)))
                .hasMessageContaining("a measure named 'prev' hides the previous buckets");
    }
}
