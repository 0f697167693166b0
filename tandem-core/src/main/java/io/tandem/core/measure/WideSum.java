package io.tandem.core.measure;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigInteger;

/**
 * The accumulator of sum over long and timestamp fields: the number of values added and their exact sum, a 128-bit
 * two's complement integer ({@code high}, {@code low}). A sum of fewer than 2^63 values of 64 bits lies within
 * ±2^126, so it never overflows 128 bits, and adding modulo 2^128 is exactly associative and commutative.
 *
 * <p>Binary form: 16 bytes while the sum fits a long (the form sums always had, so older files still read; one
 * written before sums were widened holds the sum wrapped to 64 bits), 24 bytes otherwise:
 * <pre>
 * +--------------------------------------+---------------------------+-----------------------------------------+
 * | n: i64 big-endian, values added; its | low: i64 BE, the sum's    | high: i64 BE, the sum's high 64 bits;    |
 * | sign bit is set when high follows    | low 64 bits; 0 when n = 0 | present only when n's sign bit is set    |
 * +--------------------------------------+---------------------------+-----------------------------------------+
 * </pre>
 */
final class WideSum {

    private static final BigInteger LOW_BITS = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final long WIDE = Long.MIN_VALUE;

    long n;
    long low;
    long high;

    /** Adds one value. */
    void add(long x) {
        n++;
        add(x >> 63, x);
    }

    /** Adds another sum. */
    void merge(WideSum other) {
        n += other.n;
        add(other.high, other.low);
    }

    private void add(long h, long l) {
        long sum = low + l;
        high += h + (Long.compareUnsigned(sum, low) < 0 ? 1 : 0);
        low = sum;
    }

    /** Whether the sum is a long. */
    boolean fitsLong() {
        return high == low >> 63;
    }

    /** The sum: a Long when it fits one, else a BigInteger. */
    Number value() {
        if (fitsLong()) {
            return low;
        }
        return BigInteger.valueOf(high).shiftLeft(64).or(BigInteger.valueOf(low).and(LOW_BITS));
    }

    /**
     * Sets the sum to an exact integer, as SQL computes it.
     *
     * @throws IllegalArgumentException when it needs more than 128 bits
     */
    void set(BigInteger sum) {
        if (sum.bitLength() > 127) {
            throw new IllegalArgumentException("sum " + sum + " is outside 128 bits");
        }
        low = sum.longValue();
        high = sum.shiftRight(64).longValue();
    }

    void write(DataOutput out) throws IOException {
        boolean wide = !fitsLong();
        out.writeLong(wide ? n | WIDE : n);
        out.writeLong(low);
        if (wide) {
            out.writeLong(high);
        }
    }

    static WideSum read(DataInput in) throws IOException {
        WideSum acc = new WideSum();
        long first = in.readLong();
        acc.n = first & ~WIDE;
        acc.low = in.readLong();
        acc.high = first < 0 ? in.readLong() : acc.low >> 63;
        return acc;
    }
}
