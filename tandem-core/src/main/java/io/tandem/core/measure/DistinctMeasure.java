package io.tandem.core.measure;

import io.tandem.core.Difference;
import io.tandem.core.Measure;
import io.tandem.core.ResultType;
import io.tandem.core.Row;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.Union;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * {@code distinct}: the estimated number of distinct non-null values of a field, a Long, from a HyperLogLog
 * sketch with {@link Measures#HLL_LG_K} and {@link Measures#HLL_TYPE} (relative standard error about 1.6%; exact
 * while the sketch holds few values). Unions are order-independent.
 *
 * <p>Values are fed to {@link HllSketch} as: strings by {@code update(String)} (UTF-8; DataSketches ignores the
 * empty string), longs, timestamps and the event time by {@code update(long)}, doubles by
 * {@code update(double)}, booleans as {@code update(1L)} or {@code update(0L)}. Another engine that builds the
 * same sketch must feed it the same way.
 *
 * <p>Binary form:
 * <pre>
 * +---------------------+---------------------------------------------------------------+
 * | length: i32 BE      | the sketch: {@code HllSketch.toUpdatableByteArray()}, read back |
 * |                     | by {@code HllSketch.heapify(byte[])}; at most 4,136 bytes        |
 * +---------------------+---------------------------------------------------------------+
 * </pre>
 */
final class DistinctMeasure implements Measure<HllSketch> {

    private static final int HLL_STD_DEVS = 3;

    private final Input input;

    DistinctMeasure(Input input) {
        this.input = input;
    }

    @Override
    public HllSketch create() {
        return new HllSketch(Measures.HLL_LG_K, Measures.HLL_TYPE);
    }

    @Override
    public void add(HllSketch acc, Row row) {
        if (input.isNull(row)) {
            return;
        }
        switch (input.type) {
            case STRING -> acc.update(input.getString(row));
            case LONG, TIMESTAMP -> acc.update(input.getLong(row));
            case DOUBLE -> acc.update(input.getNumber(row));
            case BOOLEAN -> acc.update(input.getBoolean(row) ? 1L : 0L);
            default -> throw new IllegalStateException(input.type.toString());
        }
    }

    @Override
    public HllSketch merge(HllSketch left, HllSketch right) {
        if (right.isEmpty()) {
            return left;
        }
        if (left.isEmpty()) {
            return right.copy();
        }
        Union union = new Union(Measures.HLL_LG_K);
        union.update(left);
        union.update(right);
        return union.getResult(Measures.HLL_TYPE);
    }

    @Override
    public ResultType resultType() {
        return ResultType.LONG;
    }

    /** Each side's HLL estimate must lie within the other side's bounds at three standard deviations. */
    @Override
    public Difference difference(HllSketch left, HllSketch right) {
        double l = left.getEstimate();
        double r = right.getEstimate();
        boolean within = l >= right.getLowerBound(HLL_STD_DEVS) && l <= right.getUpperBound(HLL_STD_DEVS)
                && r >= left.getLowerBound(HLL_STD_DEVS) && r <= left.getUpperBound(HLL_STD_DEVS);
        return new Difference(Difference.relative(l, r), !within);
    }

    @Override
    public Object result(HllSketch acc) {
        return acc.isEmpty() ? null : Math.round(acc.getEstimate());
    }

    @Override
    public void write(HllSketch acc, DataOutput out) throws IOException {
        Sketches.writeBytes(acc.toUpdatableByteArray(), out);
    }

    @Override
    public HllSketch read(DataInput in) throws IOException {
        byte[] bytes = Sketches.readBytes(in);
        try {
            return HllSketch.heapify(bytes);
        } catch (RuntimeException e) {
            throw new IOException("not an HLL sketch: " + e.getMessage(), e);
        }
    }
}
