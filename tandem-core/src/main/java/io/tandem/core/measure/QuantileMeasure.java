package io.tandem.core.measure;

import io.tandem.core.Measure;
import io.tandem.core.Row;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * {@code quantile(f, q)}: the estimated q-quantile of a numeric field, a Double, from a KLL sketch with
 * {@link Measures#KLL_K} (normalized rank error about 1.65%; exact while it holds at most k values). The result
 * is {@code getQuantile(q)} with the inclusive search criterion: the smallest retained value whose rank is at
 * least q. NaN values are ignored, like nulls. KLL compaction is randomized, so two sketches of the same values
 * agree within the rank error, not bit for bit.
 *
 * <p>Binary form:
 * <pre>
 * +---------------------+------------------------------------------------------------------+
 * | length: i32 BE      | the sketch: {@code KllDoublesSketch.toByteArray()}, read back by  |
 * |                     | {@code KllDoublesSketch.heapify(Memory)}                          |
 * +---------------------+------------------------------------------------------------------+
 * </pre>
 */
final class QuantileMeasure implements Measure<KllDoublesSketch> {

    private final Input input;
    private final double rank;

    QuantileMeasure(Input input, double rank) {
        this.input = input;
        this.rank = rank;
    }

    @Override
    public KllDoublesSketch create() {
        return KllDoublesSketch.newHeapInstance(Measures.KLL_K);
    }

    @Override
    public void add(KllDoublesSketch acc, Row row) {
        if (!input.isNull(row)) {
            acc.update(input.getNumber(row));
        }
    }

    @Override
    public KllDoublesSketch merge(KllDoublesSketch left, KllDoublesSketch right) {
        if (!right.isEmpty()) {
            left.merge(right);
        }
        return left;
    }

    @Override
    public Object result(KllDoublesSketch acc) {
        return acc.isEmpty() ? null : acc.getQuantile(rank);
    }

    @Override
    public void write(KllDoublesSketch acc, DataOutput out) throws IOException {
        Sketches.writeBytes(acc.toByteArray(), out);
    }

    @Override
    public KllDoublesSketch read(DataInput in) throws IOException {
        byte[] bytes = Sketches.readBytes(in);
        try {
            return KllDoublesSketch.heapify(Memory.wrap(bytes));
        } catch (RuntimeException e) {
            throw new IOException("not a KLL sketch: " + e.getMessage(), e);
        }
    }
}
