package io.tandem.engine.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.Random;

class QuickModelTest {

    @Test
    void when_stateRoundTrips_then_theRestoredModelScoresAsTheOriginal() {
        QuickModel a = QuickModel.create(7);
        Random r = new Random(1);
        for (int i = 0; i < 300; i++) {
            a.learn(i * 60_000L, i, 100 + r.nextGaussian() * 5);
        }
        byte[] bytes = QuickModel.toBytes(a.state());
        QuickModel b = QuickModel.fromState(QuickModel.fromBytes(bytes));
        assertThat(b.points()).isEqualTo(300);
        assertThat(b.learn(299 * 60_000L, 299, 1)).isNull();
        QuickModel.Score sa = a.learn(300 * 60_000L, 300, 180);
        QuickModel.Score sb = b.learn(300 * 60_000L, 300, 180);
        assertThat(sb).isEqualTo(sa);
        assertThat(sa.grade()).isPositive();
    }
}
