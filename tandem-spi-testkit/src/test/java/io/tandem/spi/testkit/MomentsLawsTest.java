package io.tandem.spi.testkit;

import net.jqwik.api.Group;

/** The laws of mean and variance. */
class MomentsLawsTest {

    @Group
    class MeanOfLongField extends TradesLaws {
        MeanOfLongField() {
            super("mean", "qty");
        }
    }

    @Group
    class MeanOfDoubleField extends TradesLaws {
        MeanOfDoubleField() {
            super("mean", "price");
        }
    }

    @Group
    class VarianceOfDoubleField extends TradesLaws {
        VarianceOfDoubleField() {
            super("variance", "price");
        }
    }

    @Group
    class VarianceOfLongField extends TradesLaws {
        VarianceOfLongField() {
            super("variance", "qty");
        }
    }

    @Group
    class VarianceOfTimestampField extends TradesLaws {
        VarianceOfTimestampField() {
            super("variance", "ts");
        }
    }

    @Group
    class MeanOfDoubleWhereInterpreted extends TradesLaws {
        MeanOfDoubleWhereInterpreted() {
            super("mean", "price", null, Trades.INTERPRETED);
        }
    }
}
