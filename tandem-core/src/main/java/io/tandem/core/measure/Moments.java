package io.tandem.core.measure;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The accumulator of variance: count, mean and sum of squared deviations, updated by Welford's method and merged
 * by Chan et al.'s pairwise formula.
 *
 * <p>Binary form, 24 bytes:
 * <pre>
 * +-------------------+----------------------------------+--------------------------------------------+
 * | n: i64 big-endian | mean: f64 (IEEE 754 bits, i64 BE) | m2: f64, sum of squared deviations from mean |
 * +-------------------+----------------------------------+--------------------------------------------+
 * </pre>
 */
final class Moments {

    long n;
    double mean;
    double m2;

    void add(double x) {
        n++;
        double d = x - mean;
        mean += d / n;
        m2 += d * (x - mean);
    }

    void merge(Moments other) {
        if (other.n == 0) {
            return;
        }
        if (n == 0) {
            n = other.n;
            mean = other.mean;
            m2 = other.m2;
            return;
        }
        long total = n + other.n;
        double d = other.mean - mean;
        mean += d * other.n / total;
        m2 += other.m2 + d * d * ((double) n * other.n / total);
        n = total;
    }

    void write(DataOutput out) throws IOException {
        out.writeLong(n);
        out.writeDouble(mean);
        out.writeDouble(m2);
    }

    static Moments read(DataInput in) throws IOException {
        Moments m = new Moments();
        m.n = in.readLong();
        m.mean = in.readDouble();
        m.m2 = in.readDouble();
        return m;
    }
}
