package io.tandem.spark;

import io.tandem.core.GroupKey;
import io.tandem.spi.Providers;
import io.tandem.spi.batch.BatchEngineProvider;
import io.tandem.spi.testkit.BatchEngineContract;
import io.tandem.spi.testkit.LakeEvent;
import io.tandem.spi.view.CompiledView;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What travels to Spark's executors and back: the view as plain values, and the groups as bytes. */
class PartialsTest {

    private static final CompiledView VIEW = new CompiledView(SparkVersusDuckDbTest.view("v", List.of("s", "p"),
            60_000, "s.matches('^a') || q > 5", "n: count", "sq: sum(q) | q > 0", "ds: distinct(s)",
            "m: quantile(p, 0.5)", "f: first(t)"), BatchEngineContract.STREAM);

    @Test
    void when_theViewTravelsJavaSerialized_then_theExecutorCompilesTheDriversDefinition() throws Exception {
        // the task functions hold nothing but the spec, the layout and flags: serialize one as Spark would
        Partials.Aggregate task = new Partials.Aggregate(ViewSpec.of(VIEW), SparkBatchEngine.select(VIEW, true,
                new ArrayList<>()), true);
        Partials.Aggregate copy = (Partials.Aggregate) roundTrip(task);
        // compiled afresh, it is the same view
        CompiledView compiled = copy.spec().compile();
        assertThat(compiled.fingerprint()).isEqualTo(VIEW.fingerprint());
        assertThat(compiled.measureNames()).isEqualTo(VIEW.measureNames());
        assertThat(copy.layout().fieldColumns()).containsExactly(task.layout().fieldColumns());
        assertThat(copy.layout().epoch()).isEqualTo(task.layout().epoch());
    }

    @Test
    void when_anExecutorCompilesTheViewDifferently_then_itsTasksFail() {
        ViewSpec spec = ViewSpec.of(VIEW);
        ViewSpec other = new ViewSpec(spec.name(), spec.from(), spec.groupBy(), spec.granularityMs(), spec.where(),
                spec.measures(), spec.stream(), "an older definition");
        assertThatThrownBy(other::compiled).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("view 'v' compiles to another definition here than on the driver");
    }

    @Test
    void when_groupsDifferOnlyInTheSignOfZero_then_theirKeysDiffer() throws IOException {
        // Spark groups the pairs by the key's bytes: -0.0 and 0.0 stay apart, as GroupKey keeps them
        Partials.Group negative = new Partials.Group(GroupKey.of("a", -0.0), -60_000, 3);
        Partials.Group positive = new Partials.Group(GroupKey.of("a", 0.0), -60_000, 3);
        assertThat(Partials.key(negative)).isNotEqualTo(Partials.key(positive));
        String longString = "é".repeat(40_000);
        for (Partials.Group g : List.of(negative, positive, new Partials.Group(GroupKey.of(longString, null),
                Long.MIN_VALUE + 1, Long.MIN_VALUE), new Partials.Group(GroupKey.EMPTY, 0, 0))) {
            assertThat(Partials.group(Partials.key(g))).isEqualTo(g);
        }
    }

    @Test
    void when_accumulatorsRoundTrip_then_theirBytesAreTheMeasuresOwn() {
        Object[] accs = VIEW.createAccumulators();
        for (LakeEvent e : BatchEngineContract.events(3, 200)) {
            VIEW.add(accs, e.row(BatchEngineContract.STREAM));
        }
        byte[] bytes = Partials.accumulators(VIEW, accs);
        assertThat(Partials.accumulators(VIEW, Partials.accumulators(VIEW, bytes))).isEqualTo(bytes);
        assertThat(VIEW.results(Partials.accumulators(VIEW, bytes))).isEqualTo(VIEW.results(accs));
    }

    @Test
    void theSparkEngine_isFoundByItsKind() {
        assertThat(Providers.find(BatchEngineProvider.class, "batch.engine", "spark"))
                .isInstanceOf(SparkBatchEngineProvider.class);
    }

    private static Object roundTrip(Object o) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }
}
