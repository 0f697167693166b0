package io.tandem.spi.testkit;

import net.jqwik.api.Group;

/** The laws of count, count(field) and filtered counts. */
class CountLawsTest {

    @Group
    class Events extends TradesLaws {
        Events() {
            super("count", null);
        }
    }

    @Group
    class NonNullSymbols extends TradesLaws {
        NonNullSymbols() {
            super("count", "symbol");
        }
    }

    @Group
    class WhereBigBuy extends TradesLaws {
        WhereBigBuy() {
            super("count", null, null, Trades.BIG_BUY);
        }
    }

    @Group
    class WhereInterpreted extends TradesLaws {
        WhereInterpreted() {
            super("count", null, null, Trades.INTERPRETED);
        }
    }
}
