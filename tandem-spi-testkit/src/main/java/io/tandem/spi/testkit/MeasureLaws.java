package io.tandem.spi.testkit;

import io.tandem.core.Measure;
import io.tandem.core.Row;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The laws every {@link Measure} obeys, as jqwik properties: extend this class, say which measure, which rows and
 * how results compare, and every law runs against it.
 *
 * <ul>
 *   <li>identity: {@code create()} merged on either side changes nothing;</li>
 *   <li>associativity and commutativity of {@code merge};</li>
 *   <li>merge order independence: any partition of the rows, merged in any order, equals adding them all to
 *       one accumulator;</li>
 *   <li>serialization: {@code read(write(a))} has the same result and binary form as {@code a}, and behaves the
 *       same when more rows are added or merged;</li>
 *   <li>isolation: {@code merge} leaves its right argument unchanged and {@code copy} is deep;</li>
 *   <li>reference: the result equals a naive computation over the rows, when the subclass gives one.</li>
 * </ul>
 *
 * Results of the same measure are compared with {@link #equivalence()}; serialized forms are compared exactly.
 * Each law runs {@link #TRIES} tries over up to {@link #maxRows()} rows.
 */
public abstract class MeasureLaws {

    /** Tries per law: enough to find bugs, short enough for a 2-core machine shared with other builds. */
    protected static final int TRIES = 200;

    /** The measure under test. */
    protected abstract Measure<?> measure();

    /** One generated event; the laws draw lists of them. See {@link RowArbitraries}. */
    protected abstract Arbitrary<Row> rows();

    /** How two results of the measure over the same rows must agree. Exact unless overridden. */
    protected ResultEquivalence equivalence() {
        return ResultEquivalence.exact();
    }

    /** A naive computation of the expected result over all the rows, or null to skip the reference law. */
    protected Function<List<Row>, Object> reference() {
        return null;
    }

    /**
     * Whether {@code write(read(bytes))} gives back {@code bytes}. True unless the binary form is normalized when
     * read (a KLL sketch sorts its lowest level): then the law checks that one round trip reaches a fixed point.
     */
    protected boolean binaryFormRoundTripsExactly() {
        return true;
    }

    /** The largest number of rows one try generates. */
    protected int maxRows() {
        return 120;
    }

    @Provide
    Arbitrary<List<Row>> rowLists() {
        return rows().list().ofMaxSize(maxRows());
    }

    @Property(tries = TRIES)
    void identity(@ForAll("rowLists") List<Row> rows) {
        Measure<Object> m = m();
        Object expected = m.result(fold(rows));
        same(expected, m.result(m.merge(m.create(), fold(rows))), rows);
        same(expected, m.result(m.merge(fold(rows), m.create())), rows);
    }

    @Property(tries = TRIES)
    void associativity(@ForAll("rowLists") List<Row> rows, @ForAll Random random) {
        Measure<Object> m = m();
        List<List<Row>> p = cut(rows, 3, random);
        Object leftFirst = m.result(m.merge(m.merge(fold(p.get(0)), fold(p.get(1))), fold(p.get(2))));
        Object rightFirst = m.result(m.merge(fold(p.get(0)), m.merge(fold(p.get(1)), fold(p.get(2)))));
        same(leftFirst, rightFirst, rows);
    }

    @Property(tries = TRIES)
    void commutativity(@ForAll("rowLists") List<Row> rows, @ForAll Random random) {
        Measure<Object> m = m();
        List<List<Row>> p = cut(rows, 2, random);
        Object ab = m.result(m.merge(fold(p.get(0)), fold(p.get(1))));
        Object ba = m.result(m.merge(fold(p.get(1)), fold(p.get(0))));
        same(ab, ba, rows);
    }

    @Property(tries = TRIES)
    void addingAllInOneEqualsMergingPartitions(@ForAll("rowLists") List<Row> rows, @ForAll Random random) {
        Measure<Object> m = m();
        Object merged = m.create();
        for (List<Row> part : cut(rows, 1 + random.nextInt(5), random)) {
            merged = m.merge(merged, fold(part));
        }
        same(m.result(fold(rows)), m.result(merged), rows);
    }

    @Property(tries = TRIES)
    void mergeOrderDoesNotMatter(@ForAll("rowLists") List<Row> rows, @ForAll Random random) {
        Measure<Object> m = m();
        int k = 1 + random.nextInt(6);
        List<List<Row>> parts = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            parts.add(new ArrayList<>());
        }
        for (Row r : rows) {
            parts.get(random.nextInt(k)).add(r);
        }
        List<Object> accs = new ArrayList<>();
        for (List<Row> part : parts) {
            accs.add(fold(part));
        }
        Collections.shuffle(accs, random);
        while (accs.size() > 1) {
            int i = random.nextInt(accs.size() - 1);
            Object merged = m.merge(accs.get(i), accs.remove(i + 1));
            accs.set(i, merged);
        }
        same(m.result(fold(rows)), m.result(accs.get(0)), rows);
    }

    @Property(tries = TRIES)
    void serializationRoundTrips(@ForAll("rowLists") List<Row> rows, @ForAll Random random) {
        Measure<Object> m = m();
        List<List<Row>> p = cut(rows, 3, random);
        Object original = fold(p.get(0));
        byte[] bytes = write(m, original);
        Object copy = read(m, bytes);
        assertThat(m.result(copy)).as("result after a round trip").isEqualTo(m.result(original));
        byte[] again = write(m, copy);
        if (binaryFormRoundTripsExactly()) {
            assertThat(again).as("binary form after a round trip").isEqualTo(bytes);
        } else {
            assertThat(write(m, read(m, again))).as("binary form after two round trips").isEqualTo(again);
        }
        for (Row r : p.get(1)) {
            m.add(original, r);
            m.add(copy, r);
        }
        same(m.result(original), m.result(copy), rows);
        same(m.result(m.merge(original, fold(p.get(2)))), m.result(m.merge(copy, fold(p.get(2)))), rows);
    }

    @Property(tries = TRIES)
    void emptyAccumulatorRoundTrips() {
        Measure<Object> m = m();
        Object empty = m.create();
        assertThat(m.result(read(m, write(m, empty)))).isEqualTo(m.result(empty));
        byte[] bytes = write(m, empty);
        byte[] again = write(m, read(m, bytes));
        assertThat(binaryFormRoundTripsExactly() ? bytes : write(m, read(m, again))).isEqualTo(again);
    }

    @Property(tries = TRIES)
    void mergeLeavesItsRightArgumentAndCopiesAlone(@ForAll("rowLists") List<Row> rows, @ForAll Random random) {
        Measure<Object> m = m();
        List<List<Row>> p = cut(rows, 2, random);
        Object right = fold(p.get(1));
        byte[] before = write(m, right);
        Object left = m.merge(fold(p.get(0)), right);
        assertThat(write(m, right)).as("right argument after merge").isEqualTo(before);
        Object copy = m.copy(left);
        byte[] copied = write(m, copy);
        for (Row r : rows) {
            m.add(left, r);
        }
        m.merge(left, right);
        assertThat(write(m, copy)).as("copy after its source changed").isEqualTo(copied);
    }

    @Property(tries = TRIES)
    void agreesWithTheReference(@ForAll("rowLists") List<Row> rows) {
        Function<List<Row>, Object> reference = reference();
        if (reference != null) {
            same(reference.apply(rows), m().result(fold(rows)), rows);
        }
    }

    /** Adds the rows, in order, to a new accumulator. */
    protected final Object fold(List<Row> rows) {
        Measure<Object> m = m();
        Object acc = m.create();
        for (Row r : rows) {
            m.add(acc, r);
        }
        return acc;
    }

    /** The binary form of an accumulator. */
    protected static byte[] write(Measure<Object> m, Object acc) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            m.write(acc, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads an accumulator back and checks that it used every byte. */
    protected static Object read(Measure<Object> m, byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            Object acc = m.read(in);
            assertThat(in.available()).as("bytes left after read").isZero();
            return acc;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private Measure<Object> m() {
        return (Measure<Object>) measure();
    }

    private void same(Object expected, Object actual, List<Row> rows) {
        equivalence().assertEquivalent(expected, actual, rows);
    }

    /** {@code n} contiguous, possibly empty parts at random cut points. */
    private static List<List<Row>> cut(List<Row> rows, int n, Random random) {
        int[] cuts = new int[n + 1];
        for (int i = 1; i < n; i++) {
            cuts[i] = random.nextInt(rows.size() + 1);
        }
        cuts[n] = rows.size();
        java.util.Arrays.sort(cuts, 1, n);
        List<List<Row>> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            parts.add(rows.subList(cuts[i], cuts[i + 1]));
        }
        return parts;
    }
}
