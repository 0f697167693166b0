package io.tandem.spi.testkit;

import io.tandem.core.Measure;
import io.tandem.core.Row;
import io.tandem.core.measure.Measures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * distinct at cardinalities where the HLL sketch is in its dense mode: deterministic inputs (HLL hashing is
 * deterministic), so the 3-sigma bounds cannot flake.
 */
class DistinctAccuracyTest {

    private static final double THREE_SIGMA = 3 * 1.04 / Math.sqrt(1 << Measures.HLL_LG_K);

    @SuppressWarnings("unchecked")
    private final Measure<Object> distinct = (Measure<Object>) Trades.measure("distinct", "qty", null, null);

    @Test
    void when_partitionsOverlap_then_mergedEstimateIsWithinThreeSigmaOfTheTruth() {
        // 8 partitions of 5,000 values each, overlapping by half: 22,500 distinct values in all
        List<Object> partials = new ArrayList<>();
        for (int p = 0; p < 8; p++) {
            Object acc = distinct.create();
            for (long v = p * 2_500L; v < p * 2_500L + 5_000; v++) {
                distinct.add(acc, row(v));
            }
            partials.add(acc);
        }
        Object forward = distinct.create();
        for (Object acc : partials) {
            forward = distinct.merge(forward, distinct.copy(acc));
        }
        Object backward = distinct.create();
        for (int i = partials.size() - 1; i >= 0; i--) {
            backward = distinct.merge(backward, distinct.copy(partials.get(i)));
        }
        long truth = 22_500;
        assertThat((Long) distinct.result(forward)).isCloseTo(truth, org.assertj.core.data.Offset.offset(
                (long) (THREE_SIGMA * truth)));
        assertThat(distinct.result(backward)).isEqualTo(distinct.result(forward));
    }

    @Test
    void when_oneSketchSeesEverything_then_itAgreesWithTheMergedOne() {
        Object all = distinct.create();
        Object left = distinct.create();
        Object right = distinct.create();
        for (long v = -20_000; v < 20_000; v++) {
            distinct.add(all, row(v));
            distinct.add(v % 3 == 0 ? left : right, row(v));
        }
        long single = (Long) distinct.result(all);
        long merged = (Long) distinct.result(distinct.merge(left, right));
        assertThat((double) Math.abs(single - 40_000)).isLessThanOrEqualTo(THREE_SIGMA * 40_000);
        assertThat((double) Math.abs(single - merged)).isLessThanOrEqualTo(THREE_SIGMA * 40_000);
    }

    @Test
    void when_symbolIsEmptyString_then_distinctDoesNotCountIt() {
        @SuppressWarnings("unchecked")
        Measure<Object> symbols = (Measure<Object>) Trades.measure("distinct", "symbol", null, null);
        Object acc = symbols.create();
        symbols.add(acc, TestRow.of(Trades.STREAM, 0, 0, 0, "", null, null, null, null));
        symbols.add(acc, TestRow.of(Trades.STREAM, 0, 0, 1, "A", null, null, null, null));
        assertThat(symbols.result(acc)).isEqualTo(1L);
    }

    private static Row row(long qty) {
        return TestRow.of(Trades.STREAM, -1, 0, qty, null, null, qty, null, null);
    }
}
