package io.tandem.engine.batchview;

import io.tandem.core.Difference;
import io.tandem.core.GroupKey;
import io.tandem.core.StreamDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.spi.testkit.TestRow;
import io.tandem.spi.view.Catalog;
import io.tandem.spi.view.CompiledView;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How reconciliation compares the values that are exact: integers beyond the long range, and non-finite doubles. */
class ReconciliationCompareTest {

    private static final long T = 1_800_000_000_000L;
    private static final TandemConfig CONFIG = ConfigLoader.parse("""
            streams:
              trades:
                time: ts
                fields: {qty: long, price: double}
            views:
              totals:
                from: trades
                granularity: 1d
                measures: {volume: sum(qty), turnover: sum(price)}
            """, "test.yaml");
    private static final CompiledView VIEW = new Catalog(CONFIG).views().get("totals");
    private static final StreamDef STREAM = CONFIG.streams().get("trades");
    private static final Reconciliation.Group GROUP = new Reconciliation.Group(GroupKey.EMPTY, 0, 1);

    private static Object[] accumulators(Object[]... events) {
        Object[] accs = VIEW.createAccumulators();
        long seq = 0;
        for (Object[] e : events) {
            VIEW.add(accs, TestRow.of(STREAM, T, T, seq++, e));
        }
        return accs;
    }

    @Test
    void when_longSumsBeyondTheLongRangeDifferByOne_then_theGroupDiffers() {
        // 2 × Long.MAX_VALUE against 2 × Long.MAX_VALUE − 1: equal as doubles, different as integers
        Object[] hot = accumulators(new Object[] {Long.MAX_VALUE, 1.0}, new Object[] {Long.MAX_VALUE, 1.0});
        Object[] batch = accumulators(new Object[] {Long.MAX_VALUE, 1.0}, new Object[] {Long.MAX_VALUE - 1, 1.0});

        ViewDrift drift = Reconciliation.compare(VIEW, Map.of(GROUP, hot), Map.of(GROUP, batch));

        assertThat(drift.bucketsDiffering()).isEqualTo(1);
        assertThat(drift.maxRelativeDifference()).isPositive();
        ViewDrift same = Reconciliation.compare(VIEW, Map.of(GROUP, hot), Map.of(GROUP, VIEW.copy(hot)));
        assertThat(same.bucketsDiffering()).isZero();
    }

    @Test
    void when_oneSideIsInfinite_then_theGroupDiffersByOne_andEqualInfinitiesAgree() {
        Object[] infinite = accumulators(new Object[] {1L, Double.MAX_VALUE}, new Object[] {1L, Double.MAX_VALUE});
        Object[] finite = accumulators(new Object[] {1L, 1.0}, new Object[] {1L, 1.0});

        ViewDrift drift = Reconciliation.compare(VIEW, Map.of(GROUP, infinite), Map.of(GROUP, finite));

        assertThat(drift.bucketsDiffering()).isEqualTo(1);
        assertThat(drift.maxRelativeDifference()).isEqualTo(1.0);
        ViewDrift same = Reconciliation.compare(VIEW, Map.of(GROUP, infinite), Map.of(GROUP, VIEW.copy(infinite)));
        assertThat(same.bucketsDiffering()).isZero();
        assertThat(same.maxRelativeDifference()).isZero();
    }

    @Test
    void relativeDifference_isOneForDifferentInfinitiesAndNaNAgainstANumber() {
        assertThat(Difference.relative(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)).isOne();
        assertThat(Difference.relative(Double.NaN, 3.0)).isOne();
        assertThat(Difference.relative(Double.NaN, Double.NaN)).isZero();
        assertThat(Difference.relative(2.0, 1.0)).isEqualTo(0.5);
    }
}
