package io.tandem.spi.testkit;

import net.jqwik.api.Group;

/** The laws of distinct over every field type. */
class DistinctLawsTest {

    @Group
    class OfStringField extends TradesLaws {
        OfStringField() {
            super("distinct", "symbol");
        }
    }

    @Group
    class OfLongField extends TradesLaws {
        OfLongField() {
            super("distinct", "qty");
        }
    }

    @Group
    class OfDoubleField extends TradesLaws {
        OfDoubleField() {
            super("distinct", "price");
        }
    }

    @Group
    class OfBooleanField extends TradesLaws {
        OfBooleanField() {
            super("distinct", "active");
        }
    }

    @Group
    class OfTimestampField extends TradesLaws {
        OfTimestampField() {
            super("distinct", "ts");
        }
    }

    @Group
    class OfStringWhereBigBuy extends TradesLaws {
        OfStringWhereBigBuy() {
            super("distinct", "symbol", null, Trades.BIG_BUY);
        }
    }
}
