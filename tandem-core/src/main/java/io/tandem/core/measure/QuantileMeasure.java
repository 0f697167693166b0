package io.tandem.core.measure;

import io.tandem.core.Difference;
import io.tandem.core.Measure;
import io.tandem.core.ResultType;
import io.tandem.core.Row;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

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
    public ResultType resultType() {
        return ResultType.DOUBLE;
    }

    /**
     * A KLL sketch depends on the order its values were merged in, so once it compacts two sketches of the same
     * values give different estimates. Their item count, minimum and maximum must be equal, and each side's
     * estimate must lie, in the other side's sketch, within the two sketches' normalized rank errors of the rank;
     * the amount is that rank distance. Sketches that have not compacted are exact and must agree.
     */
    @Override
    public Difference difference(KllDoublesSketch left, KllDoublesSketch right) {
        if (left.isEmpty() || right.isEmpty()) {
            return left.isEmpty() == right.isEmpty() ? Difference.NONE : new Difference(1, true);
        }
        double exact = Math.max(Difference.relative(left.getN(), right.getN()), Math.max(
                Difference.relative(left.getMinItem(), right.getMinItem()),
                Difference.relative(left.getMaxItem(), right.getMaxItem())));
        if (exact > 0) {
            return new Difference(exact, true);
        }
        if (!left.isEstimationMode() && !right.isEstimationMode()) {
            double d = Difference.relative(left.getQuantile(rank), right.getQuantile(rank));
            return new Difference(d, d > 0);
        }
        double distance = Math.max(rankDistance(right, left.getQuantile(rank)),
                rankDistance(left, right.getQuantile(rank)));
        double tolerance = left.getNormalizedRankError(false) + right.getNormalizedRankError(false);
        return new Difference(distance, distance > tolerance);
    }

    /** How far the rank lies outside the ranks that {@code sketch} gives {@code value} (ties span a range). */
    private double rankDistance(KllDoublesSketch sketch, double value) {
        double below = sketch.getRank(value, QuantileSearchCriteria.EXCLUSIVE);
        double upTo = sketch.getRank(value, QuantileSearchCriteria.INCLUSIVE);
        return Math.max(0, Math.max(below - rank, rank - upTo));
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
