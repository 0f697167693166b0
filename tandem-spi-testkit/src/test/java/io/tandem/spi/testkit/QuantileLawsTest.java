package io.tandem.spi.testkit;

import net.jqwik.api.Group;

/** The laws of quantile, results compared by rank. */
class QuantileLawsTest {

    @Group
    class MedianOfDoubleField extends TradesLaws {
        MedianOfDoubleField() {
            super("quantile", "price", 0.5, null);
        }
    }

    @Group
    class P99OfLongField extends TradesLaws {
        P99OfLongField() {
            super("quantile", "qty", 0.99, null);
        }
    }

    @Group
    class MinimumOfEventTime extends TradesLaws {
        MinimumOfEventTime() {
            super("quantile", "time", 0.0, null);
        }
    }

    @Group
    class P90OfDoubleWhereStartsWithA extends TradesLaws {
        P90OfDoubleWhereStartsWithA() {
            super("quantile", "price", 0.9, Trades.STARTS_WITH_A);
        }
    }
}
