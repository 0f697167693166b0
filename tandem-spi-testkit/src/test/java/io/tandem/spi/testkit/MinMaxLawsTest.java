package io.tandem.spi.testkit;

import net.jqwik.api.Group;

/** The laws of min and max. */
class MinMaxLawsTest {

    @Group
    class MinOfLongField extends TradesLaws {
        MinOfLongField() {
            super("min", "qty");
        }
    }

    @Group
    class MaxOfLongField extends TradesLaws {
        MaxOfLongField() {
            super("max", "qty");
        }
    }

    @Group
    class MinOfDoubleField extends TradesLaws {
        MinOfDoubleField() {
            super("min", "price");
        }
    }

    @Group
    class MaxOfDoubleField extends TradesLaws {
        MaxOfDoubleField() {
            super("max", "price");
        }
    }

    @Group
    class MinOfEventTime extends TradesLaws {
        MinOfEventTime() {
            super("min", "time");
        }
    }

    @Group
    class MaxOfTimestampWhereBefore1970OrEven extends TradesLaws {
        MaxOfTimestampWhereBefore1970OrEven() {
            super("max", "ts", null, Trades.BEFORE_1970_OR_EVEN_TS);
        }
    }
}
