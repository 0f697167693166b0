package io.tandem.testkit;

import net.jqwik.api.Group;

/** The laws of sum over long, double and timestamp fields and the event time. */
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
}
