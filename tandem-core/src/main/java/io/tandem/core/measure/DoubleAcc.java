package io.tandem.core.measure;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The accumulator of sum and mean over any numeric field, and of min and max over double fields. Sums are
 * compensated (Neumaier), so the result does not depend on the order of adds and merges beyond the last bits.
 *
 * <p>Binary form, 24 bytes:
 * <pre>
 * +-----------------------+-------------------------------------+-----------------------------------------+
 * | n: i64 big-endian     | value: f64 (IEEE 754 bits, i64 BE)  | compensation: f64 (IEEE 754 bits)       |
 * | values added          | the sum, min or max; 0 when n = 0   | the sum's lost low-order part; else 0   |
 * +-----------------------+-------------------------------------+-----------------------------------------+
 * </pre>
 */
final class DoubleAcc {

    long n;
    double value;
    double compensation;

    /** Adds {@code x} to the compensated sum. */
    void sum(double x) {
        double t = value + x;
        if (Math.abs(value) >= Math.abs(x)) {
            compensation += (value - t) + x;
        } else {
            compensation += (x - t) + value;
        }
        value = t;
    }

    /** The compensated sum; infinite or NaN when the plain sum is. */
    double total() {
        return Double.isFinite(value) ? value + compensation : value;
    }

    void write(DataOutput out) throws IOException {
        out.writeLong(n);
        out.writeDouble(value);
        out.writeDouble(compensation);
    }

    static DoubleAcc read(DataInput in) throws IOException {
        DoubleAcc acc = new DoubleAcc();
        acc.n = in.readLong();
        acc.value = in.readDouble();
        acc.compensation = in.readDouble();
        return acc;
    }
}
