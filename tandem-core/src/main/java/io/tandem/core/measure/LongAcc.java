package io.tandem.core.measure;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The accumulator of count, and of min and max over long fields.
 *
 * <p>Binary form, 16 bytes:
 * <pre>
 * +-----------------------------------+------------------------------------------------+
 * | n: i64 big-endian                 | value: i64 big-endian                          |
 * | values added (count: the count)   | the min or max; 0 when n = 0 or for count      |
 * +-----------------------------------+------------------------------------------------+
 * </pre>
 */
final class LongAcc {

    long n;
    long value;

    void write(DataOutput out) throws IOException {
        out.writeLong(n);
        out.writeLong(value);
    }

    static LongAcc read(DataInput in) throws IOException {
        LongAcc acc = new LongAcc();
        acc.n = in.readLong();
        acc.value = in.readLong();
        return acc;
    }
}
