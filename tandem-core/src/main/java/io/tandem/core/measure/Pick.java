package io.tandem.core.measure;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The accumulator of first and last: the value of one event and its position in (event time, arrival time,
 * sequence) order. A double value is kept as its IEEE 754 bits.
 *
 * <p>Binary form, 33 bytes:
 * <pre>
 * +-------------+------------------------------+----------------+------------------+-----------------+
 * | present: u8 | value: i64 big-endian        | eventTime: i64 | arrivalTime: i64 | sequence: i64   |
 * | 0 or 1      | a long, or a double's IEEE   | epoch ms       | epoch ms         | as Row.sequence |
 * |             | 754 bits; 0 when not present |                |                  |                 |
 * +-------------+------------------------------+----------------+------------------+-----------------+
 * </pre>
 */
final class Pick {

    boolean present;
    long value;
    long eventTime;
    long arrivalTime;
    long sequence;

    /**
     * Orders candidates by (event time, arrival time, sequence), then by value bits so that even two events
     * with the same position pick the same winner in any order.
     */
    int compareTo(long eventTime, long arrivalTime, long sequence, long value) {
        int c = Long.compare(this.eventTime, eventTime);
        if (c == 0) {
            c = Long.compare(this.arrivalTime, arrivalTime);
        }
        if (c == 0) {
            c = Long.compare(this.sequence, sequence);
        }
        if (c == 0) {
            c = Long.compare(this.value, value);
        }
        return c;
    }

    void set(long eventTime, long arrivalTime, long sequence, long value) {
        this.present = true;
        this.eventTime = eventTime;
        this.arrivalTime = arrivalTime;
        this.sequence = sequence;
        this.value = value;
    }

    void write(DataOutput out) throws IOException {
        out.writeBoolean(present);
        out.writeLong(value);
        out.writeLong(eventTime);
        out.writeLong(arrivalTime);
        out.writeLong(sequence);
    }

    static Pick read(DataInput in) throws IOException {
        Pick p = new Pick();
        p.present = in.readBoolean();
        p.value = in.readLong();
        p.eventTime = in.readLong();
        p.arrivalTime = in.readLong();
        p.sequence = in.readLong();
        return p;
    }
}
