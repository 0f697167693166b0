package io.tandem.spi.testkit;

import io.tandem.core.Row;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Group;
import net.jqwik.api.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * The laws of sum over long, double and timestamp fields and the event time; a sum of longs is exact beyond the
 * long range.
 */
class SumLawsTest {

    @Group
    class OfLongField extends TradesLaws {
        OfLongField() {
            super("sum", "qty");
        }
    }

    @Group
    class OfDoubleField extends TradesLaws {
        OfDoubleField() {
            super("sum", "price");
        }
    }

    @Group
    class OfTimestampField extends TradesLaws {
        OfTimestampField() {
            super("sum", "ts");
        }
    }

    @Group
    class OfEventTime extends TradesLaws {
        OfEventTime() {
            super("sum", "time");
        }
    }

    @Group
    class OfDoubleWhereStartsWithA extends TradesLaws {
        OfDoubleWhereStartsWithA() {
            super("sum", "price", null, Trades.STARTS_WITH_A);
        }
    }

    /** Quantities at and near the ends of the long range, so that sums leave it and come back in any order. */
    @Group
    class OfLongFieldNearTheLimits extends TradesLaws {
        OfLongFieldNearTheLimits() {
            super("sum", "qty");
        }

        @Override
        protected Arbitrary<Row> rows() {
            Arbitrary<Long> extreme = Arbitraries.frequencyOf(
                    Tuple.of(3, Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1,
                            Long.MIN_VALUE + 1, -1L, 1L)),
                    Tuple.of(1, Arbitraries.longs()));
            return Combinators.combine(super.rows(), extreme.injectNull(0.1)).as((row, qty) -> {
                TestRow t = (TestRow) row;
                List<Object> values = new ArrayList<>(t.values());
                values.set(Trades.STREAM.indexOf("qty"), qty);
                return t.withValues(values.toArray());
            });
        }
    }
}
