package io.tandem.spi.testkit;

import net.jqwik.api.Group;

/** The laws of first and last, with ties on event time and arrival time. */
class FirstLastLawsTest {

    @Group
    class FirstOfLongField extends TradesLaws {
        FirstOfLongField() {
            super("first", "qty");
        }
    }

    @Group
    class LastOfLongField extends TradesLaws {
        LastOfLongField() {
            super("last", "qty");
        }
    }

    @Group
    class FirstOfDoubleField extends TradesLaws {
        FirstOfDoubleField() {
            super("first", "price");
        }
    }

    @Group
    class LastOfDoubleField extends TradesLaws {
        LastOfDoubleField() {
            super("last", "price");
        }
    }

    @Group
    class FirstOfTimestampField extends TradesLaws {
        FirstOfTimestampField() {
            super("first", "ts");
        }
    }

    @Group
    class LastOfDoubleWhereBigBuy extends TradesLaws {
        LastOfDoubleWhereBigBuy() {
            super("last", "price", null, Trades.BIG_BUY);
        }
    }
}
