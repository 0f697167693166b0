package io.tandem.spi.testkit;

import io.tandem.core.FieldDef;
import io.tandem.core.Row;
import io.tandem.core.StreamDef;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * Generators of {@link TestRow}s for any stream: event and arrival times before and after 1970 with frequent
 * ties, sequences as {@code partition << 48 | offset}, about one null in eight per field, and values drawn both
 * from small pools (duplicates, filter hits) and wide ranges.
 */
public final class RowArbitraries {

    private RowArbitraries() {
    }

    /** Rows of {@code stream}. */
    public static Arbitrary<Row> rows(StreamDef stream) {
        List<Arbitrary<Object>> fields = new ArrayList<>();
        for (FieldDef f : stream.fields()) {
            fields.add(nullable(value(f)));
        }
        Arbitrary<List<Object>> values = Combinators.combine(fields).as(ArrayList::new);
        return Combinators.combine(times(), times(), sequences(), values)
                .as((t, a, s, v) -> TestRow.of(stream, t, a, s, v.toArray()));
    }

    /** Epoch milliseconds from 1966 to 2033, often from a few values around 0 so that ties are common. */
    public static Arbitrary<Long> times() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.of(-86_400_000L, -1L, 0L, 1L, 60_000L)),
                Tuple.of(3, Arbitraries.longs().between(-100_000_000_000L, 2_000_000_000_000L)));
    }

    /** {@code partition << 48 | offset} with partitions 0 to 3. */
    public static Arbitrary<Long> sequences() {
        return Combinators.combine(Arbitraries.longs().between(0, 3), Arbitraries.longs().between(0, 1_000_000))
                .as((p, o) -> p << 48 | o);
    }

    private static Arbitrary<Object> value(FieldDef f) {
        Arbitrary<?> a = switch (f.type()) {
            case STRING -> Arbitraries.frequencyOf(
                    Tuple.of(2, Arbitraries.of("AAPL", "ABC", "B", "MSFT", "Zed", "é€")),
                    Tuple.of(1, Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6)));
            case LONG -> Arbitraries.frequencyOf(
                    Tuple.of(2, Arbitraries.longs().between(-100, 100)),
                    Tuple.of(1, Arbitraries.longs().between(-1_000_000_000_000L, 1_000_000_000_000L)));
            case DOUBLE -> Arbitraries.frequencyOf(
                    Tuple.of(2, Arbitraries.doubles().between(-200, 200).ofScale(1)),
                    Tuple.of(1, Arbitraries.doubles().between(-1e6, 1e6).ofScale(4)));
            case TIMESTAMP -> times();
            case BOOLEAN -> Arbitraries.of(true, false);
        };
        return a.map(v -> (Object) v);
    }

    private static Arbitrary<Object> nullable(Arbitrary<Object> a) {
        return a.injectNull(0.125);
    }
}
